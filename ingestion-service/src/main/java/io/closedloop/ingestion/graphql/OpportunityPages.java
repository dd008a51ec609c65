package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.CrmOpportunity;
import io.closedloop.ingestion.crm.Fields;
import io.closedloop.plumbing.graphql.PageInfo;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The Relay connection of an account's opportunities (Account.opportunities) and its cursors: opaque to callers, base64url
 * of {@code opp:<created_at in µs>:<id>}, the place of the last opportunity in the order newest created first, then by id
 * descending. A position, not an offset: an opportunity created while paging comes before the first page and shifts none.
 */
public final class OpportunityPages {

    /** Most opportunities in one page of {@code Account.opportunities}. */
    static final int MAX = 1000;

    private OpportunityPages() {
    }

    @Name("OpportunityConnection")
    @Description("A page of an account's CRM opportunities, newest created first (Relay connection).")
    public record OpportunityConnection(@NonNull List<@NonNull OpportunityEdge> edges, @NonNull PageInfo pageInfo,
                                        @Description("The opportunities the account has in the CRM.") int totalCount) {
    }

    @Name("OpportunityEdge")
    public record OpportunityEdge(@Description("Pass as after to get the opportunities older than this one.") @NonNull String cursor,
                                  @NonNull Opportunity node) {
    }

    /** Where a page continues: after the opportunity created at {@code createdAt} with {@code id}. */
    record Position(OffsetDateTime createdAt, String id) {
    }

    /** The position of an {@code Account.opportunities} cursor; null for none. */
    static Position position(String argument, String after) {
        if (after == null) {
            return null;
        }
        String[] parts = ImportPages.decode(argument, after, "opp:").split(":", 2);
        long micros;
        try {
            micros = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(argument + ImportPages.NOT_A_CURSOR);
        }
        if (micros < 0 || micros > ImportPages.MAX_MICROS || parts.length < 2 || parts[1].isEmpty()
                || parts[1].length() > Fields.MAX_ID) {
            throw new IllegalArgumentException(argument + ImportPages.NOT_A_CURSOR);
        }
        return new Position(Instant.EPOCH.plus(micros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC), parts[1]);
    }

    /** The connection of a page read with {@code first + 1} as its limit (the one past the page tells that more follow). */
    static OpportunityConnection connection(CrmOpportunity.Page page, int first) {
        List<CrmOpportunity> read = page.opportunities();
        List<OpportunityEdge> edges = new ArrayList<>();
        for (CrmOpportunity o : read.subList(0, Math.min(first, read.size()))) {
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, o.createdAt().toInstant());
            edges.add(new OpportunityEdge(ImportPages.encode("opp:" + micros + ":" + o.id()), Opportunity.of(o)));
        }
        return new OpportunityConnection(edges, new PageInfo(read.size() > first, page.before() > 0,
                edges.isEmpty() ? null : edges.get(0).cursor(), edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor()),
                page.totalCount());
    }
}
