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
import java.util.HashMap;
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
        return persons(workspace, List.of(personId)).map(list -> list.get(0));
    }

    /** Persons by id, in the order asked (null where unknown): one query for any number, as federation batches them. */
    public Uni<List<Person>> persons(String workspace, List<String> personIds) {
        return persons(workspace, "p.person_id = any($2)", personIds).map(found -> {
            Map<String, Person> byId = new HashMap<>();
            found.forEach(p -> byId.put(p.id(), p));
            return personIds.stream().map(byId::get).toList();
        });
    }

    public Uni<Account> account(String workspace, String accountId) {
        return accounts(workspace, List.of(accountId)).map(list -> list.get(0));
    }

    /**
     * Accounts by id, in the order asked (null where neither an account row nor a person names it), each with its first
     * persons and identifiers: three queries for any number, as federation batches them.
     */
    public Uni<List<Account>> accounts(String workspace, List<String> accountIds) {
        String[] ids = accountIds.toArray(String[]::new);
        return pool.preparedQuery("select account_id, name, domains from accounts where workspace_id = $1 and account_id = any($2)")
                .execute(Tuple.of(workspace, ids))
                .chain(rows -> persons(workspace, "p.account_id = any($2)", accountIds)
                        .chain(persons -> accountIdentifiers(workspace, ids).map(identifiers -> {
                            Map<String, Row> accountRows = new HashMap<>();
                            rows.forEach(r -> accountRows.put(r.getString("account_id"), r));
                            Map<String, List<Person>> personsOf = new HashMap<>();
                            persons.forEach(p -> personsOf.computeIfAbsent(p.accountId(), k -> new ArrayList<>()).add(p));
                            List<Account> out = new ArrayList<>();
                            for (String id : accountIds) {
                                Row r = accountRows.get(id);
                                List<Person> its = personsOf.getOrDefault(id, List.of());
                                if (r == null && its.isEmpty()) {
                                    out.add(null);
                                    continue;
                                }
                                List<String> domains = r == null ? List.of() : Arrays.asList(r.getArrayOfStrings("domains"));
                                if (r == null && id.startsWith("domain:")) {
                                    domains = List.of(id.substring("domain:".length()));
                                }
                                out.add(new Account(id, r == null ? null : r.getString("name"), domains, its,
                                        identifiers.getOrDefault(id, List.of())));
                            }
                            return out;
                        })));
    }

    /** The first identifiers of each account's persons, by account. */
    private Uni<Map<String, List<AccountIdentifierView>>> accountIdentifiers(String workspace, String[] accountIds) {
        return pool.preparedQuery("select account_id, type, value, person_id, quarantined from (select p.account_id, i.type, i.value,"
                        + " i.person_id, i.quarantined, row_number() over (partition by p.account_id order by i.first_seq, i.key) as n"
                        + " from persons p join identifiers i on i.workspace_id = $1 and i.person_id = p.person_id"
                        + " where p.workspace_id = $1 and p.account_id = any($2)) x where n <= " + MAX_IDENTIFIERS
                        + " order by account_id, n")
                .execute(Tuple.of(workspace, accountIds))
                .map(rows -> {
                    Map<String, List<AccountIdentifierView>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                            .add(new AccountIdentifierView(r.getString(1), r.getString(2), r.getString(3), r.getBoolean(4))));
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

    /**
     * The persons matching {@code condition} on {@code p} ($2: {@code ids}), each with its identifiers; at most
     * {@link #MAX_PERSONS} per account.
     */
    private Uni<List<Person>> persons(String workspace, String condition, List<String> ids) {
        return pool.preparedQuery("with chosen as (select * from (select p.*, row_number() over (partition by p.account_id"
                        + " order by p.person_id) as n from persons p where p.workspace_id = $1 and " + condition + ") x"
                        + " where n <= " + MAX_PERSONS + ")"
                        + " select c.person_id, c.account_id, c.ambiguous, c.quarantined, i.type, i.value, i.quarantined as iq"
                        + " from chosen c join identifiers i on i.workspace_id = $1 and i.person_id = c.person_id"
                        + " order by c.person_id, i.first_seq, i.key")
                .execute(Tuple.of(workspace, ids.toArray(String[]::new)))
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
