package io.closedloop.plumbing.graphql;

import io.smallrye.graphql.api.federation.Shareable;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

/**
 * Where a page of a Relay connection stands (README "Paging"). One record for every subgraph: shareable, and described
 * alike everywhere, as the supergraph requires of a type more than one subgraph declares.
 */
@Type("PageInfo")
@Shareable
@Description("Where a page stands in its list (Relay cursor connections).")
public record PageInfo(@Description("Whether items follow this page: ask again with after = endCursor.") boolean hasNextPage,
                       @Description("Whether items precede this page.") boolean hasPreviousPage,
                       @Description("The first edge's cursor; null on an empty page.") String startCursor,
                       @Description("The last edge's cursor; null on an empty page.") String endCursor) {

    /** The page info of a page whose edges have {@code cursors}. */
    public static PageInfo of(List<String> cursors, boolean hasNextPage, boolean hasPreviousPage) {
        return new PageInfo(hasNextPage, hasPreviousPage, cursors.isEmpty() ? null : cursors.get(0),
                cursors.isEmpty() ? null : cursors.get(cursors.size() - 1));
    }
}
