package io.closedloop.ingestion.service;

import io.closedloop.ingestion.CrmAccount;
import io.closedloop.ingestion.CrmOpportunity;
import io.closedloop.ingestion.repository.CrmReadRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Stored CRM accounts and opportunities of a workspace, many at a time: each call is one SQL statement whatever the number
 * of ids, so the federated entities of a gateway's request cost one statement per entity type.
 */
@ApplicationScoped
public class CrmQueries {

    private final CrmReadRepository repository;

    public CrmQueries(CrmReadRepository repository) {
        this.repository = repository;
    }

    /** The accounts of {@code ids} in their order (repeats included); null for an id the workspace's CRM does not know. */
    public Uni<List<CrmAccount>> accounts(String workspace, List<String> ids) {
        return repository.accounts(workspace, new LinkedHashSet<>(ids)).map(found -> inOrder(ids, found));
    }

    /** The opportunities of {@code ids} in their order (repeats included); null for an id the workspace does not have. */
    public Uni<List<CrmOpportunity>> opportunities(String workspace, List<String> ids) {
        return repository.opportunities(workspace, new LinkedHashSet<>(ids)).map(found -> inOrder(ids, found));
    }

    /**
     * A page of the opportunities of each of {@code accountIds}, newest created first then by id: at most {@code limit} of
     * those after the position ({@code afterCreatedAt}, {@code afterId}), or from the newest when it is null. Keyed by
     * account id, one for each.
     */
    public Uni<Map<String, CrmOpportunity.Page>> opportunityPages(String workspace, Collection<String> accountIds,
                                                                  OffsetDateTime afterCreatedAt, String afterId, int limit) {
        return repository.pages(workspace, new LinkedHashSet<>(accountIds), afterCreatedAt, afterId, limit);
    }

    private static <T> List<T> inOrder(List<String> ids, Map<String, T> found) {
        List<T> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(found.get(id));
        }
        return out;
    }
}
