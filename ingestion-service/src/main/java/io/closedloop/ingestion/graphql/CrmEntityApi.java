package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.graphql.OpportunityPages.OpportunityConnection;
import io.closedloop.ingestion.graphql.OpportunityPages.Position;
import io.closedloop.ingestion.service.CrmQueries;
import io.closedloop.plumbing.graphql.EntityLookups;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.graphql.api.federation.Inaccessible;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import java.util.ArrayList;
import java.util.List;

/**
 * The federated entities Account and Opportunity as ingestion's CRM knows them (DESIGN §9), resolved in batches: a gateway
 * sends {@code _entities(representations: [...])} with many of them, and SmallRye calls the lookup of each entity type once
 * with the ids of all its representations ({@code quarkus.smallrye-graphql.federation.batch-resolving-enabled}: it takes
 * a query field returning a list of the type whose argument is named like the key field), so each type costs one SQL
 * statement. Roles analyst, admin or ingest of the caller's workspace; a representation never reaches another workspace's
 * rows (an id of another workspace is unknown here).
 *
 * <p>The lookups are {@code @Query} fields marked {@code @inaccessible}: in the subgraph, where _entities finds them, not in
 * the supergraph's API. Their items are nullable: SmallRye matches a list of the entity type, not of a non-null one. A
 * {@code @Resolver} would stay out of the subgraph's Query too, but it is never called: SmallRye registers the fetchers of
 * its hidden resolver type after plumbing's FieldVisibility copied the code registry, so _entities finds none and fails.
 * Asynchronous (Uni) lookups are fine here: _entities takes the list out of a batch lookup's result (only a single-entity
 * lookup's asynchronous result, which it passes on still wrapped, defeats the entity's type resolution).
 */
@GraphQLApi
public class CrmEntityApi {

    private static final String[] READERS = {Roles.ANALYST, Roles.ADMIN, Roles.INGEST};
    /** Most ids one lookup takes: as many items as a CRM mutation takes. */
    static final int MAX_IDS = EntityLookups.MAX_IDS;

    private final CrmQueries queries;
    private final Caller caller;

    public CrmEntityApi(CrmQueries queries, Caller caller) {
        this.queries = queries;
        this.caller = caller;
    }

    @Query
    @Inaccessible
    @Description("Federation entity lookup (_entities calls it with every Account representation's id): the accounts in the"
            + " order of the ids, each with ingestion's CRM fields; an id the CRM does not know gives an account with null"
            + " fields (its opportunities are those naming it, if any). At most " + MAX_IDS + " ids; roles analyst, admin or ingest.")
    public Uni<@NonNull List<Account>> accountEntities(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().deferred(() -> {
            String workspace = workspace("accountEntities", id);
            AccountOpportunities opportunities = new AccountOpportunities(queries, workspace, id);
            return queries.accounts(workspace, id).map(found -> {
                List<Account> out = new ArrayList<>(id.size());
                for (int i = 0; i < id.size(); i++) {
                    out.add(Account.of(id.get(i), found.get(i), opportunities));
                }
                return out;
            });
        });
    }

    @Query
    @Inaccessible
    @Description("Federation entity lookup (_entities calls it with every Opportunity representation's id): the"
            + " opportunities in the order of the ids, null for an id the workspace does not have. At most " + MAX_IDS + " ids;"
            + " roles analyst, admin or ingest.")
    public Uni<@NonNull List<Opportunity>> opportunityEntities(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().deferred(() -> queries.opportunities(workspace("opportunityEntities", id), id)
                .map(found -> found.stream().map(o -> o == null ? null : Opportunity.of(o)).toList()));
    }

    @Description("The account's CRM opportunities, newest created first (then by id), a page at a time forward. first: 1 to "
            + OpportunityPages.MAX + "; after: the endCursor of the previous page. A cursor is an opportunity's place (creation"
            + " time, id), not a position: one created while paging never shifts a later page.")
    public Uni<@NonNull OpportunityConnection> opportunities(@Source Account account, @DefaultValue("100") int first, String after) {
        int n = ImportPages.first("Account.opportunities.first", first, OpportunityPages.MAX);
        Position position = OpportunityPages.position("Account.opportunities.after", after);
        return account.opportunityPages().page(account.id(), n + 1, position).map(page -> OpportunityPages.connection(page, n));
    }

    /**
     * The caller's workspace for a lookup of {@code ids}: roles analyst, admin or ingest, at most {@link #MAX_IDS} ids. The
     * lookups call it deferred, so that what it throws reaches the caller as a failed Uni: _entities turns an exception
     * thrown by its lookup into "System error".
     */
    private String workspace(String operation, List<String> ids) {
        String workspace = caller.workspaceFor(READERS);
        EntityLookups.checked(operation, ids);
        return workspace;
    }
}
