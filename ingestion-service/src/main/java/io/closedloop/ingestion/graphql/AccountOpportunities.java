package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.CrmOpportunity;
import io.closedloop.ingestion.graphql.OpportunityPages.Position;
import io.closedloop.ingestion.service.CrmQueries;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The opportunities of the accounts one {@code _entities} call resolved, read for all of them together: the first
 * {@code Account.opportunities} asked with given arguments reads that page of every one of the accounts in one statement,
 * and the others take theirs from it. Arguments differing between aliases ({@code recent: opportunities(first: 3)
 * all: opportunities(first: 100)}) are one statement each. (SmallRye's batched {@code @Source List<Account>} would read
 * every alias with the first one's arguments.)
 */
final class AccountOpportunities {

    private static final CrmOpportunity.Page NONE = new CrmOpportunity.Page(List.of(), 0, 0);

    private final CrmQueries queries;
    private final String workspace;
    private final List<String> accountIds;
    private final Map<Arguments, Uni<Map<String, CrmOpportunity.Page>>> pages = new ConcurrentHashMap<>();

    private record Arguments(int limit, Position after) {
    }

    AccountOpportunities(CrmQueries queries, String workspace, List<String> accountIds) {
        this.queries = queries;
        this.workspace = workspace;
        this.accountIds = accountIds;
    }

    /** The page of {@code accountId}: at most {@code limit} opportunities after {@code after} (from the newest when null). */
    Uni<CrmOpportunity.Page> page(String accountId, int limit, Position after) {
        return pages.computeIfAbsent(new Arguments(limit, after), a -> queries.opportunityPages(workspace, accountIds,
                        after == null ? null : after.createdAt(), after == null ? null : after.id(), limit).memoize().indefinitely())
                .map(byAccount -> byAccount.getOrDefault(accountId, NONE));
    }
}
