package io.closedloop.identity.repository;

import io.closedloop.identity.graph.Identifier;
import io.closedloop.identity.graph.Link;
import io.closedloop.identity.graph.Node;
import io.smallrye.mutiny.Uni;
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

    public record PersonRow(String personId, String accountId, boolean ambiguous, boolean quarantined, int identifiers) {
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

    /** Every identifier of the persons that the given identifiers belong to (whole components). */
    public Uni<List<StoredIdentifier>> identifiersOfPersonsOf(SqlConnection tx, String workspace, Collection<String> keys) {
        return tx.preparedQuery("select key, type, value, first_seq, quarantined, persons_joined, person_id, account_id"
                        + " from identifiers where workspace_id = $1 and person_id in"
                        + " (select person_id from identifiers where workspace_id = $1 and key = any($2))")
                .execute(Tuple.of(workspace, array(keys)))
                .map(rows -> {
                    List<StoredIdentifier> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new StoredIdentifier(new Node(new Identifier(r.getString("type"), r.getString("value")),
                                r.getLong("first_seq"), r.getBoolean("quarantined"), r.getInteger("persons_joined")),
                                r.getString("person_id"), r.getString("account_id")));
                    }
                    return out;
                });
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
        if (links.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = links.size();
        String[] ids = new String[n], kinds = new String[n], accounts = new String[n], members = new String[n];
        Long[] seqs = new Long[n];
        List<String> memberKeys = new ArrayList<>();
        List<String> memberFacts = new ArrayList<>();
        int i = 0;
        for (Link l : links) {
            ids[i] = l.factId();
            kinds[i] = l.kind();
            seqs[i] = l.seq();
            accounts[i] = l.accountId();
            // members travel as a JSON array per link: unnest cannot take a ragged text[][]
            members[i] = new io.vertx.core.json.JsonArray(l.members()).encode();
            for (String key : l.members()) {
                memberKeys.add(key);
                memberFacts.add(l.factId());
            }
            i++;
        }
        return tx.preparedQuery("insert into links (workspace_id, fact_id, kind, seq, account_id, members)"
                        + " select $1, f, k, s, a, array(select jsonb_array_elements_text(m::jsonb))"
                        + " from unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) as t(f, k, s, a, m)"
                        + " on conflict (workspace_id, fact_id) do update set kind = excluded.kind, seq = excluded.seq,"
                        + " account_id = excluded.account_id, members = excluded.members")
                .execute(Tuple.from(new Object[]{workspace, ids, kinds, seqs, accounts, members}))
                .chain(() -> tx.preparedQuery("delete from link_members where workspace_id = $1 and fact_id = any($2)")
                        .execute(Tuple.of(workspace, ids)))
                .chain(() -> tx.preparedQuery("insert into link_members (workspace_id, key, fact_id)"
                                + " select $1, * from unnest($2::text[], $3::text[]) on conflict do nothing")
                        .execute(Tuple.of(workspace, array(memberKeys), array(memberFacts))))
                .replaceWithVoid();
    }

    public Uni<Void> deleteLinks(SqlConnection tx, String workspace, Collection<String> factIds) {
        if (factIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("delete from links where workspace_id = $1 and fact_id = any($2)")
                .execute(Tuple.of(workspace, array(factIds)))
                .chain(() -> tx.preparedQuery("delete from link_members where workspace_id = $1 and fact_id = any($2)")
                        .execute(Tuple.of(workspace, array(factIds))))
                .replaceWithVoid();
    }

    /** Replaces the persons {@code previous} by {@code current} (both whole components of the working set). */
    public Uni<Void> replacePersons(SqlConnection tx, String workspace, Collection<String> previous, List<PersonRow> current) {
        Uni<Void> delete = previous.isEmpty() ? Uni.createFrom().voidItem()
                : tx.preparedQuery("delete from persons where workspace_id = $1 and person_id = any($2)")
                .execute(Tuple.of(workspace, array(previous))).replaceWithVoid();
        if (current.isEmpty()) {
            return delete;
        }
        int n = current.size();
        String[] ids = new String[n], accounts = new String[n];
        Boolean[] ambiguous = new Boolean[n], quarantined = new Boolean[n];
        Integer[] sizes = new Integer[n];
        for (int i = 0; i < n; i++) {
            PersonRow p = current.get(i);
            ids[i] = p.personId();
            accounts[i] = p.accountId();
            ambiguous[i] = p.ambiguous();
            quarantined[i] = p.quarantined();
            sizes[i] = p.identifiers();
        }
        return delete.chain(() -> tx.preparedQuery("insert into persons (workspace_id, person_id, account_id, ambiguous, quarantined, identifiers)"
                        + " select $1, * from unnest($2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::int[])"
                        + " on conflict (workspace_id, person_id) do update set account_id = excluded.account_id,"
                        + " ambiguous = excluded.ambiguous, quarantined = excluded.quarantined, identifiers = excluded.identifiers")
                .execute(Tuple.from(new Object[]{workspace, ids, accounts, ambiguous, quarantined, sizes})).replaceWithVoid());
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

    // ---- crm

    /** Upserts an account and its domains; emits the domains it had before and has now (whose persons must be re-resolved). */
    public Uni<Set<String>> upsertAccount(SqlConnection tx, String workspace, String accountId, String name, Set<String> domains) {
        String[] d = domains.toArray(new String[0]);
        return tx.preparedQuery("delete from account_domains where workspace_id = $1 and account_id = $2 returning domain")
                .execute(Tuple.of(workspace, accountId))
                .chain(rows -> {
                    Set<String> touched = new HashSet<>(domains);
                    rows.forEach(r -> touched.add(r.getString(0)));
                    return tx.preparedQuery("insert into accounts (workspace_id, account_id, name, domains) values ($1, $2, $3, $4)"
                                    + " on conflict (workspace_id, account_id) do update set name = excluded.name, domains = excluded.domains")
                            .execute(Tuple.of(workspace, accountId, name, d))
                            .chain(() -> tx.preparedQuery("insert into account_domains (workspace_id, domain, account_id)"
                                            + " select $1, unnest($2::text[]), $3 on conflict do nothing")
                                    .execute(Tuple.of(workspace, d, accountId)))
                            .replaceWith(touched);
                });
    }

    public Uni<Void> upsertContact(SqlConnection tx, String workspace, String contactId, String accountId) {
        return tx.preparedQuery("insert into crm_contacts (workspace_id, contact_id, account_id) values ($1, $2, $3)"
                        + " on conflict (workspace_id, contact_id) do update set account_id = excluded.account_id")
                .execute(Tuple.of(workspace, contactId, accountId)).replaceWithVoid();
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
