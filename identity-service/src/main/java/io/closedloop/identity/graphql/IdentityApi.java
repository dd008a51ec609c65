package io.closedloop.identity.graphql;

import io.closedloop.identity.graph.Identifier;
import io.closedloop.identity.graphql.IdentityTypes.IdentifierInput;
import io.closedloop.identity.graphql.IdentityTypes.QuarantinedView;
import io.closedloop.identity.graphql.IdentityTypes.StatsView;
import io.closedloop.identity.service.IdentityQueries;
import io.closedloop.plumbing.graphql.EntityLookups;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;

@GraphQLApi
public class IdentityApi {

    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

    private final IdentityQueries queries;
    private final Caller caller;

    public IdentityApi(IdentityQueries queries, Caller caller) {
        this.queries = queries;
        this.caller = caller;
    }

    @Query
    @Description("The person an identifier belongs to, or null when the identifier is unknown.")
    public Uni<Person> person(@NonNull IdentifierInput identifier) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Identifier id;
        try {
            id = Identifier.of(identifier.type, identifier.value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("person." + e.getMessage());
        }
        return queries.personOf(workspace, id.key());
    }

    // Query fields, not @Resolver methods: SmallRye 2.17 batch-resolves _entities only through fields of Query (a
    // @Resolver batch method's result came back null). The argument is named like the key field, as it requires.
    @Query
    @Description("Persons by id, in the order given (null where unknown); also how federation resolves every Person of"
            + " one _entities request in one lookup.")
    public Uni<@NonNull List<Person>> personsById(@NonNull List<@NonNull String> id) {
        // Deferred: a refused role inside _entities must reach the caller as itself (a failed Uni), not as "System error".
        return Uni.createFrom().deferred(() -> queries.persons(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN), EntityLookups.checked("personsById", id)));
    }

    @Query
    @Description("Accounts by id, in the order given (null where unknown), with their persons; also how federation resolves"
            + " every Account of one _entities request in one lookup.")
    public Uni<@NonNull List<Account>> accountsById(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().deferred(() -> queries.accounts(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN), EntityLookups.checked("accountsById", id)));
    }


    // The single lookups are blocking (run on a worker thread): SmallRye's _entities could not resolve the entity type
    // of an asynchronous (Uni) single resolver's result (the batch ones above are asynchronous).
    @Query
    @Description("A person by id.")
    public Person personById(@NonNull @Id String id) {
        return queries.person(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN), id).await().atMost(TIMEOUT);
    }

    @Query
    @Description("An account by id (CRM account id, domain:<domain> or a group call's id), with its persons.")
    public Account account(@NonNull @Id String id) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        if (id.isBlank()) {
            throw new IllegalArgumentException("account.id: empty");
        }
        return queries.account(workspace, id).await().atMost(TIMEOUT);
    }

    @Query
    @Description("Identifiers the explosion guard quarantined, most persons joined first.")
    public Uni<@NonNull List<@NonNull QuarantinedView>> quarantinedIdentifiers() {
        return queries.quarantined(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }

    @Query
    @Description("Data-quality figures: persons, unassigned, ambiguous, quarantined identifiers.")
    public Uni<@NonNull StatsView> identityStats() {
        return queries.stats(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }
}
