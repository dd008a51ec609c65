package io.closedloop.identity.service;

import io.closedloop.identity.graphql.Account;
import io.closedloop.identity.graphql.IdentityTypes.AccountIdentifierView;
import io.closedloop.identity.graphql.IdentityTypes.IdentifierView;
import io.closedloop.identity.graphql.Person;
import io.closedloop.identity.graphql.IdentityTypes.QuarantinedView;
import io.closedloop.identity.graphql.IdentityTypes.StatsView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read side of the graph for GraphQL; every query filters by the caller's workspace. */
@ApplicationScoped
public class IdentityQueries {

    /** An account lists at most this many persons (the rest are counted in identityStats). */
    static final int MAX_PERSONS = 1000;
    /** An account lists at most this many identifiers. */
    static final int MAX_IDENTIFIERS = 10_000;

    private final Pool pool;

    public IdentityQueries(Pool pool) {
        this.pool = pool;
    }

    public Uni<Person> personOf(String workspace, String key) {
        return pool.preparedQuery("select person_id from identifiers where workspace_id = $1 and key = $2")
                .execute(Tuple.of(workspace, key))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().nullItem() : person(workspace, rows.iterator().next().getString(0)));
    }

    public Uni<Person> person(String workspace, String personId) {
        return persons(workspace, "p.person_id = $2", personId).map(list -> list.isEmpty() ? null : list.get(0));
    }

    public Uni<Account> account(String workspace, String accountId) {
        return pool.preparedQuery("select name, domains from accounts where workspace_id = $1 and account_id = $2")
                .execute(Tuple.of(workspace, accountId))
                .chain(rows -> persons(workspace, "p.account_id = $2", accountId).chain(persons -> accountIdentifiers(workspace, accountId).map(identifiers -> {
                    if (rows.size() == 0 && persons.isEmpty()) {
                        return null;
                    }
                    Row r = rows.size() == 0 ? null : rows.iterator().next();
                    List<String> domains = r == null ? List.of() : Arrays.asList(r.getArrayOfStrings("domains"));
                    if (r == null && accountId.startsWith("domain:")) {
                        domains = List.of(accountId.substring("domain:".length()));
                    }
                    return new Account(accountId, r == null ? null : r.getString("name"), domains, persons, identifiers);
                })));
    }

    private Uni<List<AccountIdentifierView>> accountIdentifiers(String workspace, String accountId) {
        return pool.preparedQuery("select i.type, i.value, i.person_id, i.quarantined from persons p"
                        + " join identifiers i on i.workspace_id = $1 and i.person_id = p.person_id"
                        + " where p.workspace_id = $1 and p.account_id = $2 order by i.first_seq, i.key limit " + MAX_IDENTIFIERS)
                .execute(Tuple.of(workspace, accountId))
                .map(rows -> {
                    List<AccountIdentifierView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new AccountIdentifierView(r.getString(0), r.getString(1), r.getString(2), r.getBoolean(3))));
                    return out;
                });
    }

    public Uni<List<QuarantinedView>> quarantined(String workspace) {
        // Counted now from its links rather than read from persons_joined, which stops at the count that tripped the guard:
        // links keep naming a quarantined identifier, so the figure reports everyone it would have merged.
        return pool.preparedQuery("select q.type, q.value, coalesce((select max(c) from (select count(distinct m2.key) as c"
                        + " from link_members m1 join link_members m2 on m2.workspace_id = $1 and m2.fact_id = m1.fact_id"
                        + " where m1.workspace_id = $1 and m1.key = q.key and m2.key <> q.key and m2.key not like 'anonymous\\_id:%'"
                        + " group by split_part(m2.key, ':', 1)) per_type), q.persons_joined) as joined"
                        + " from identifiers q where q.workspace_id = $1 and q.quarantined order by joined desc, q.key limit 1000")
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    List<QuarantinedView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new QuarantinedView(r.getString(0), r.getString(1), r.getInteger(2))));
                    return out;
                });
    }

    public Uni<StatsView> stats(String workspace) {
        return pool.preparedQuery("select count(*), count(*) filter (where account_id is null),"
                        + " count(*) filter (where ambiguous),"
                        + " (select count(*) from identifiers i where i.workspace_id = $1 and i.quarantined)"
                        + " from persons where workspace_id = $1")
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new StatsView(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3));
                });
    }

    private Uni<List<Person>> persons(String workspace, String condition, String arg) {
        return pool.preparedQuery("with chosen as (select p.* from persons p where p.workspace_id = $1 and " + condition
                        + " order by p.person_id limit " + MAX_PERSONS + ")"
                        + " select c.person_id, c.account_id, c.ambiguous, c.quarantined, i.type, i.value, i.quarantined as iq"
                        + " from chosen c join identifiers i on i.workspace_id = $1 and i.person_id = c.person_id"
                        + " order by c.person_id, i.first_seq, i.key")
                .execute(Tuple.of(workspace, arg))
                .map(rows -> {
                    Map<String, Person> byId = new LinkedHashMap<>();
                    for (Row r : rows) {
                        Person p = byId.computeIfAbsent(r.getString("person_id"), id -> new Person(id,
                                r.getString("account_id"), r.getBoolean("ambiguous"), r.getBoolean("quarantined"), new ArrayList<>()));
                        p.identifiers().add(new IdentifierView(r.getString("type"), r.getString("value"), r.getBoolean("iq")));
                    }
                    return new ArrayList<>(byId.values());
                });
    }
}
