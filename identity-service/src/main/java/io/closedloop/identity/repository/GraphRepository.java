package io.closedloop.identity.repository;

import io.closedloop.identity.graph.Identifier;
import io.closedloop.identity.graph.Link;
import io.closedloop.identity.graph.Node;
import io.closedloop.identity.graph.PersonMerge.PersonState;
import io.closedloop.identity.graph.PersonMerge.StoredKey;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Batch SQL over the stored graph; every statement runs in the caller's transaction and filters by workspace. */
@ApplicationScoped
public class GraphRepository {

    /** An identifier row as stored before the page: what the memberships feed compares against. */
    public record StoredIdentifier(Node node, String personId, String accountId) {
    }

    /** A person as written: its resolution and the merge state of {@link PersonState} (earliest identifier, evidence). */
    public record PersonRow(String personId, String accountId, boolean ambiguous, boolean quarantined, int identifiers,
                            String earliestKey, long earliestSeq, int personal, Collection<String> crm, Collection<String> group,
                            Collection<String> contacts, Collection<String> domains) {
    }

    /** The guard limit and how many personal (not anonymous) identifiers of the workspace are quarantined. */
    public record Guard(int limit, long quarantinedPersonal) {
    }

    /**
     * Each row's text array, sent flat (unnest cannot take a ragged text[][]): element j of parameter {@code elements}
     * belongs to the row of ordinality {@code rows}[j]; grouped back into (i, members) in element order. Slicing one flat
     * array per row instead walked it from its start each time (array_seek: quadratic in the page, 6 % of identity's
     * PostgreSQL time at 1,000 facts a page).
     */
    private static String groupedByOrdinal(int elements, int rows) {
        return "(select i, array_agg(e order by o) as members from unnest($" + elements + "::text[], $" + rows + "::int[])"
                + " with ordinality as u(e, i, o) group by i)";
    }

    /** Serializes graph changes of one workspace until the transaction ends. */
    public Uni<Void> lockWorkspace(SqlConnection tx, String workspace) {
        return tx.preparedQuery("select pg_advisory_xact_lock(hashtext('identity-graph:' || $1))")
                .execute(Tuple.of(workspace)).replaceWithVoid();
    }

    public Uni<Integer> guardLimit(SqlConnection tx, String workspace) {
        return tx.preparedQuery("select explosion_guard_limit from identity_settings where workspace_id = $1")
                .execute(Tuple.of(workspace))
                .map(rows -> rows.size() == 0 ? 50 : rows.iterator().next().getInteger(0));
    }

    public Uni<Guard> guard(SqlConnection tx, String workspace) {
        return tx.preparedQuery("select coalesce((select explosion_guard_limit from identity_settings where workspace_id = $1), 50),"
                        + " (select count(*) from identifiers where workspace_id = $1 and quarantined and type <> 'anonymous_id')")
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Guard(r.getInteger(0), r.getLong(1));
                });
    }

    /** The stored identifiers among {@code keys}, each with the merge state of its person (none when not kept yet). */
    public Uni<Void> storedKeys(SqlConnection tx, String workspace, Collection<String> keys,
                                Map<String, StoredKey> identifiers, Map<String, PersonState> persons) {
        return tx.preparedQuery("select i.key, i.person_id, i.first_seq, i.quarantined, p.account_id, p.ambiguous, p.identifiers,"
                        + " p.earliest_key, p.earliest_seq, p.personal, p.evidence::text"
                        + " from identifiers i left join persons p on p.workspace_id = $1 and p.person_id = i.person_id"
                        + " where i.workspace_id = $1 and i.key = any($2)")
                .execute(Tuple.of(workspace, array(keys)))
                .invoke(rows -> {
                    for (Row r : rows) {
                        String person = r.getString(1);
                        identifiers.put(r.getString(0), new StoredKey(r.getString(0), person, r.getLong(2), r.getBoolean(3)));
                        if (r.getString(7) != null && !persons.containsKey(person)) {
                            JsonObject evidence = new JsonObject(r.getString(10));
                            persons.put(person, new PersonState(person, r.getString(4), r.getBoolean(5), r.getInteger(6),
                                    r.getString(7), r.getLong(8), r.getInteger(9), set(evidence, "crm"), set(evidence, "group"),
                                    set(evidence, "contacts"), set(evidence, "domains")));
                        }
                    }
                })
                .replaceWithVoid();
    }

    /** Every identifier of the given persons. */
    public Uni<List<StoredIdentifier>> identifiersOfPersons(SqlConnection tx, String workspace, Collection<String> personIds) {
        if (personIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return tx.preparedQuery("select key, type, value, first_seq, quarantined, persons_joined, person_id, account_id"
                        + " from identifiers where workspace_id = $1 and person_id = any($2)")
                .execute(Tuple.of(workspace, array(personIds)))
                .map(GraphRepository::toStoredIdentifiers);
    }

    /** Every identifier of the persons that the given identifiers belong to (whole components). */
    public Uni<List<StoredIdentifier>> identifiersOfPersonsOf(SqlConnection tx, String workspace, Collection<String> keys) {
        return tx.preparedQuery("select key, type, value, first_seq, quarantined, persons_joined, person_id, account_id"
                        + " from identifiers where workspace_id = $1 and person_id in"
                        + " (select person_id from identifiers where workspace_id = $1 and key = any($2))")
                .execute(Tuple.of(workspace, array(keys)))
                .map(GraphRepository::toStoredIdentifiers);
    }

    private static List<StoredIdentifier> toStoredIdentifiers(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<StoredIdentifier> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new StoredIdentifier(new Node(new Identifier(r.getString("type"), r.getString("value")),
                    r.getLong("first_seq"), r.getBoolean("quarantined"), r.getInteger("persons_joined")),
                    r.getString("person_id"), r.getString("account_id")));
        }
        return out;
    }

    private static Set<String> set(JsonObject evidence, String field) {
        Set<String> out = new java.util.LinkedHashSet<>();
        evidence.getJsonArray(field).forEach(v -> out.add((String) v));
        return out;
    }

    /** Every link that names one of the keys. */
    public Uni<List<Link>> linksOf(SqlConnection tx, String workspace, Collection<String> keys) {
        return tx.preparedQuery("select l.fact_id, l.kind, l.seq, l.account_id, l.members from links l"
                        + " where l.workspace_id = $1 and l.fact_id in"
                        + " (select m.fact_id from link_members m where m.workspace_id = $1 and m.key = any($2))")
                .execute(Tuple.of(workspace, array(keys)))
                .map(GraphRepository::toLinks);
    }

    public Uni<List<Link>> linksById(SqlConnection tx, String workspace, Collection<String> factIds) {
        return tx.preparedQuery("select fact_id, kind, seq, account_id, members from links"
                        + " where workspace_id = $1 and fact_id = any($2)")
                .execute(Tuple.of(workspace, array(factIds)))
                .map(GraphRepository::toLinks);
    }

    public Uni<List<String>> keysWithDomains(SqlConnection tx, String workspace, Collection<String> domains) {
        return tx.preparedQuery("select key from identifiers where workspace_id = $1 and domain = any($2)")
                .execute(Tuple.of(workspace, array(domains)))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Uni<Set<String>> erasedHashes(SqlConnection tx, String workspace, Collection<String> hashes) {
        return tx.preparedQuery("select key_hash from erased_identifiers where workspace_id = $1 and key_hash = any($2)")
                .execute(Tuple.of(workspace, array(hashes)))
                .map(rows -> {
                    Set<String> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Uni<Void> markErased(SqlConnection tx, String workspace, Collection<String> hashes) {
        return tx.preparedQuery("insert into erased_identifiers (workspace_id, key_hash) select $1, unnest($2::text[])"
                        + " on conflict do nothing")
                .execute(Tuple.of(workspace, array(hashes))).replaceWithVoid();
    }

    /** contact id → CRM account id. */
    public Uni<Map<String, String>> contactAccounts(SqlConnection tx, String workspace, Collection<String> contactIds) {
        return tx.preparedQuery("select contact_id, account_id from crm_contacts where workspace_id = $1"
                        + " and contact_id = any($2) and account_id is not null")
                .execute(Tuple.of(workspace, array(contactIds)))
                .map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getString(1)));
                    return out;
                });
    }

    /** registered domain → CRM account ids whose domains contain it. */
    public Uni<Map<String, Set<String>>> domainAccounts(SqlConnection tx, String workspace, Collection<String> domains) {
        return tx.preparedQuery("select domain, account_id from account_domains where workspace_id = $1 and domain = any($2)")
                .execute(Tuple.of(workspace, array(domains)))
                .map(rows -> {
                    Map<String, Set<String>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), d -> new HashSet<>()).add(r.getString(1)));
                    return out;
                });
    }

    public Uni<Void> upsertIdentifiers(SqlConnection tx, String workspace, List<Node> nodes, List<String> personIds,
                                       List<String> accountIds, List<String> domains) {
        if (nodes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = nodes.size();
        String[] keys = new String[n], types = new String[n], values = new String[n];
        Long[] seqs = new Long[n];
        Boolean[] quarantined = new Boolean[n];
        Integer[] joined = new Integer[n];
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            keys[i] = node.identifier().key();
            types[i] = node.identifier().type();
            values[i] = node.identifier().value();
            seqs[i] = node.firstSeq();
            quarantined[i] = node.quarantined();
            joined[i] = node.personsJoined();
        }
        return tx.preparedQuery("insert into identifiers (workspace_id, key, type, value, first_seq, person_id, account_id,"
                        + " domain, quarantined, persons_joined)"
                        + " select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],"
                        + " $8::text[], $9::boolean[], $10::int[])"
                        + " on conflict (workspace_id, key) do update set first_seq = excluded.first_seq,"
                        + " person_id = excluded.person_id, account_id = excluded.account_id, domain = excluded.domain,"
                        + " quarantined = excluded.quarantined, persons_joined = excluded.persons_joined")
                .execute(Tuple.from(new Object[]{workspace, keys, types, values, seqs, personIds.toArray(new String[0]),
                        accountIds.toArray(new String[0]), domains.toArray(new String[0]), quarantined, joined}))
                .replaceWithVoid();
    }

    public Uni<Void> deleteIdentifiers(SqlConnection tx, String workspace, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("delete from identifiers where workspace_id = $1 and key = any($2)")
                .execute(Tuple.of(workspace, array(keys))).replaceWithVoid();
    }

    public Uni<Void> upsertLinks(SqlConnection tx, String workspace, Collection<Link> links) {
        return upsertLinks(tx, workspace, links, true);
    }

    /** @param replacing whether some links may already be stored (their old members are then removed first) */
    public Uni<Void> upsertLinks(SqlConnection tx, String workspace, Collection<Link> links, boolean replacing) {
        if (links.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = links.size();
        String[] ids = new String[n], kinds = new String[n], accounts = new String[n];
        Long[] seqs = new Long[n];
        List<String> memberKeys = new ArrayList<>();
        List<String> memberFacts = new ArrayList<>();
        List<Integer> memberOf = new ArrayList<>();
        int i = 0;
        for (Link l : links) {
            ids[i] = l.factId();
            kinds[i] = l.kind();
            seqs[i] = l.seq();
            accounts[i] = l.accountId();
            for (String key : l.members()) {
                memberKeys.add(key);
                memberFacts.add(l.factId());
                memberOf.add(i + 1);
            }
            i++;
        }
        Uni<Void> removeOld = replacing ? deleteMembers(tx, workspace, ids) : Uni.createFrom().voidItem();
        return removeOld.chain(() -> tx.preparedQuery("insert into links (workspace_id, fact_id, kind, seq, account_id, members)"
                        + " select $1, f, k, s, a, coalesce(m.members, '{}') from unnest($2::text[], $3::text[], $4::bigint[], $5::text[])"
                        + " with ordinality as t(f, k, s, a, i) left join " + groupedByOrdinal(6, 7) + " m using (i)"
                        + " on conflict (workspace_id, fact_id) do update set kind = excluded.kind, seq = excluded.seq,"
                        + " account_id = excluded.account_id, members = excluded.members")
                        .execute(Tuple.from(new Object[]{workspace, ids, kinds, seqs, accounts, array(memberKeys),
                                memberOf.toArray(new Integer[0])})))
                .chain(() -> tx.preparedQuery("insert into link_members (workspace_id, key, fact_id)"
                                + " select $1, * from unnest($2::text[], $3::text[]) on conflict do nothing")
                        .execute(Tuple.of(workspace, array(memberKeys), array(memberFacts))))
                .replaceWithVoid();
    }

    public Uni<Void> deleteLinks(SqlConnection tx, String workspace, Collection<String> factIds) {
        if (factIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return deleteMembers(tx, workspace, array(factIds))
                .chain(() -> tx.preparedQuery("delete from links where workspace_id = $1 and fact_id = any($2)")
                        .execute(Tuple.of(workspace, array(factIds))))
                .replaceWithVoid();
    }

    /** Removes the link_members rows of stored links, found through their members (link_members is keyed by key first). */
    private Uni<Void> deleteMembers(SqlConnection tx, String workspace, String[] factIds) {
        return tx.preparedQuery("delete from link_members m using (select fact_id, unnest(members) as key from links"
                        + " where workspace_id = $1 and fact_id = any($2)) old"
                        + " where m.workspace_id = $1 and m.key = old.key and m.fact_id = old.fact_id")
                .execute(Tuple.of(workspace, factIds)).replaceWithVoid();
    }

    /** Replaces the persons {@code previous} by {@code current} (both whole components of the working set). */
    public Uni<Void> replacePersons(SqlConnection tx, String workspace, Collection<String> previous, List<PersonRow> current) {
        int n = current.size();
        String[] ids = new String[n], accounts = new String[n], earliest = new String[n];
        String[] evidence = new String[n];
        Boolean[] ambiguous = new Boolean[n], quarantined = new Boolean[n];
        Integer[] sizes = new Integer[n], personal = new Integer[n];
        Long[] earliestSeq = new Long[n];
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < n; i++) {
            PersonRow p = current.get(i);
            ids[i] = p.personId();
            kept.add(p.personId());
            accounts[i] = p.accountId();
            ambiguous[i] = p.ambiguous();
            quarantined[i] = p.quarantined();
            sizes[i] = p.identifiers();
            earliest[i] = p.earliestKey();
            earliestSeq[i] = p.earliestSeq();
            personal[i] = p.personal();
            evidence[i] = new JsonObject()
                    .put("crm", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.crm()))))
                    .put("group", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.group()))))
                    .put("contacts", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.contacts()))))
                    .put("domains", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.domains())))).encode();
        }
        List<String> gone = previous.stream().filter(id -> !kept.contains(id)).toList();
        Uni<Void> delete = gone.isEmpty() ? Uni.createFrom().voidItem()
                : tx.preparedQuery("delete from persons where workspace_id = $1 and person_id = any($2)")
                .execute(Tuple.of(workspace, array(gone))).replaceWithVoid();
        if (n == 0) {
            return delete;
        }
        return delete.chain(() -> tx.preparedQuery("insert into persons (workspace_id, person_id, account_id, ambiguous, quarantined,"
                        + " identifiers, earliest_key, earliest_seq, personal, evidence)"
                        + " select $1, id, a, amb, q, n, ek, es, pe, ev::jsonb"
                        + " from unnest($2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::int[], $7::text[], $8::bigint[],"
                        + " $9::int[], $10::text[]) as t(id, a, amb, q, n, ek, es, pe, ev)"
                        + " on conflict (workspace_id, person_id) do update set account_id = excluded.account_id,"
                        + " ambiguous = excluded.ambiguous, quarantined = excluded.quarantined, identifiers = excluded.identifiers,"
                        + " earliest_key = excluded.earliest_key, earliest_seq = excluded.earliest_seq, personal = excluded.personal,"
                        + " evidence = excluded.evidence")
                .execute(Tuple.from(new Object[]{workspace, ids, accounts, ambiguous, quarantined, sizes, earliest, earliestSeq,
                        personal, evidence})).replaceWithVoid());
    }

    /** Appends items to the memberships feed, in order. */
    public Uni<Void> appendMemberships(SqlConnection tx, String workspace, List<String> kinds, List<String> payloads) {
        if (kinds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("insert into memberships (workspace_id, kind, payload)"
                        + " select $1, k, p::jsonb from unnest($2::text[], $3::text[]) with ordinality as t(k, p, o) order by o")
                .execute(Tuple.of(workspace, kinds.toArray(new String[0]), payloads.toArray(new String[0])))
                .replaceWithVoid();
    }

    /** Deletes the history of these identifiers from the memberships feed; how many items it deleted. */
    public Uni<Integer> deleteMemberships(SqlConnection tx, String workspace, Collection<String> keys) {
        return tx.preparedQuery("delete from memberships where workspace_id = $1"
                        + " and ((payload -> 'identifier' ->> 'type') || ':' || (payload -> 'identifier' ->> 'value')) = any($2)")
                .execute(Tuple.of(workspace, array(keys))).map(rows -> rows.rowCount());
    }

    // ---- erasure reports (V5): kept until ingestion took them

    public record ErasureReport(String erasureId, String workspace, String identifiers, String removed) {
    }

    public Uni<Void> saveErasureReport(SqlConnection tx, String workspace, String erasureId, List<Identifier> identifiers,
                                       JsonObject removed) {
        JsonArray array = new JsonArray();
        identifiers.forEach(i -> array.add(new JsonObject().put("type", i.type()).put("value", i.value())));
        return tx.preparedQuery("insert into erasure_outbox (erasure_id, workspace_id, identifiers, removed)"
                        + " values ($1, $2, $3::text::jsonb, $4::text::jsonb) on conflict (erasure_id) do nothing")
                .execute(Tuple.of(erasureId, workspace, array.encode(), removed.encode())).replaceWithVoid();
    }

    public Uni<List<ErasureReport>> erasureReports(Pool pool) {
        return pool.query("select erasure_id, workspace_id, identifiers::text, removed::text from erasure_outbox limit 100").execute()
                .map(rows -> {
                    List<ErasureReport> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new ErasureReport(r.getString(0), r.getString(1), r.getString(2), r.getString(3))));
                    return out;
                });
    }

    public Uni<Void> deleteErasureReport(Pool pool, String erasureId) {
        return pool.preparedQuery("delete from erasure_outbox where erasure_id = $1").execute(Tuple.of(erasureId)).replaceWithVoid();
    }

    // ---- crm

    /** An account of the crm feed: its id, name and registered domains (free-mail ones left out). */
    public record AccountRow(String accountId, String name, Set<String> domains) {
    }

    /**
     * Upserts accounts and their domains, in three statements for any number (each id once); emits the domains they had
     * before and have now (whose persons must be re-resolved).
     */
    public Uni<Set<String>> upsertAccounts(SqlConnection tx, String workspace, Collection<AccountRow> accounts) {
        if (accounts.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        int n = accounts.size();
        String[] ids = new String[n], names = new String[n];
        List<String> domains = new ArrayList<>();
        List<String> domainAccounts = new ArrayList<>();
        List<Integer> domainOf = new ArrayList<>();
        int i = 0;
        for (AccountRow a : accounts) {
            ids[i] = a.accountId();
            names[i] = a.name();
            for (String d : a.domains()) {
                domains.add(d);
                domainAccounts.add(a.accountId());
                domainOf.add(i + 1);
            }
            i++;
        }
        Set<String> touched = new HashSet<>(domains);
        return tx.preparedQuery("delete from account_domains where workspace_id = $1 and account_id = any($2) returning domain")
                .execute(Tuple.of(workspace, ids))
                .chain(rows -> {
                    rows.forEach(r -> touched.add(r.getString(0)));
                    return tx.preparedQuery("insert into accounts (workspace_id, account_id, name, domains)"
                                    + " select $1, a, nm, coalesce(m.members, '{}') from unnest($2::text[], $4::text[]) with ordinality as t(a, nm, i)"
                                    + " left join " + groupedByOrdinal(3, 5) + " m using (i)"
                                    + " on conflict (workspace_id, account_id) do update set name = excluded.name, domains = excluded.domains")
                            .execute(Tuple.from(new Object[]{workspace, ids, array(domains), names, domainOf.toArray(new Integer[0])}));
                })
                .chain(() -> tx.preparedQuery("insert into account_domains (workspace_id, domain, account_id)"
                                + " select $1, * from unnest($2::text[], $3::text[]) on conflict do nothing")
                        .execute(Tuple.of(workspace, array(domains), array(domainAccounts))))
                .replaceWith(touched);
    }

    /** Upserts contacts' accounts (contact id → CRM account id, each contact once) in one statement. */
    public Uni<Void> upsertContacts(SqlConnection tx, String workspace, Map<String, String> accountOfContact) {
        if (accountOfContact.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("insert into crm_contacts (workspace_id, contact_id, account_id)"
                        + " select $1, * from unnest($2::text[], $3::text[])"
                        + " on conflict (workspace_id, contact_id) do update set account_id = excluded.account_id")
                .execute(Tuple.of(workspace, array(accountOfContact.keySet()), accountOfContact.values().toArray(new String[0])))
                .replaceWithVoid();
    }

    private static String[] array(Collection<String> values) {
        return values.toArray(new String[0]);
    }

    private static List<Link> toLinks(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Link> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Link(r.getString("fact_id"), r.getString("kind"), r.getLong("seq"), r.getString("account_id"),
                    Arrays.asList(r.getArrayOfStrings("members"))));
        }
        return out;
    }
}
