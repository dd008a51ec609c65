package io.closedloop.identity.bench;

import io.closedloop.identity.graph.Link;
import io.closedloop.identity.graph.Node;
import io.closedloop.identity.graph.PersonMerge.PersonState;
import io.closedloop.identity.graph.PersonMerge.StoredKey;
import io.closedloop.identity.repository.GraphRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The repository with each statement timed (BENCH_PROFILE=1), to see where a page's time goes. */
class TimedRepository extends GraphRepository {

    static final Map<String, Long> TIMES = new TreeMap<>();

    private static <T> Uni<T> timed(String name, Supplier<Uni<T>> call) {
        long start = System.nanoTime();
        return call.get().invoke(() -> TIMES.merge(name, System.nanoTime() - start, Long::sum));
    }

    @Override
    public Uni<List<StoredIdentifier>> identifiersOfPersonsOf(SqlConnection tx, String workspace, Collection<String> keys) {
        return timed("identifiersOfPersonsOf", () -> super.identifiersOfPersonsOf(tx, workspace, keys));
    }

    @Override
    public Uni<Guard> guard(SqlConnection tx, String workspace) {
        return timed("guard", () -> super.guard(tx, workspace));
    }

    @Override
    public Uni<Void> storedKeys(SqlConnection tx, String workspace, Collection<String> keys,
                                Map<String, StoredKey> identifiers, Map<String, PersonState> persons) {
        return timed("storedKeys", () -> super.storedKeys(tx, workspace, keys, identifiers, persons));
    }

    @Override
    public Uni<List<StoredIdentifier>> identifiersOfPersons(SqlConnection tx, String workspace, Collection<String> personIds) {
        return timed("identifiersOfPersons", () -> super.identifiersOfPersons(tx, workspace, personIds));
    }

    @Override
    public Uni<List<Link>> linksOf(SqlConnection tx, String workspace, Collection<String> keys) {
        return timed("linksOf", () -> super.linksOf(tx, workspace, keys));
    }

    @Override
    public Uni<List<Link>> linksById(SqlConnection tx, String workspace, Collection<String> factIds) {
        return timed("linksById", () -> super.linksById(tx, workspace, factIds));
    }

    @Override
    public Uni<Set<String>> erasedHashes(SqlConnection tx, String workspace, Collection<String> hashes) {
        return timed("erasedHashes", () -> super.erasedHashes(tx, workspace, hashes));
    }

    @Override
    public Uni<Map<String, String>> contactAccounts(SqlConnection tx, String workspace, Collection<String> contactIds) {
        return timed("contactAccounts", () -> super.contactAccounts(tx, workspace, contactIds));
    }

    @Override
    public Uni<Map<String, Set<String>>> domainAccounts(SqlConnection tx, String workspace, Collection<String> domains) {
        return timed("domainAccounts", () -> super.domainAccounts(tx, workspace, domains));
    }

    @Override
    public Uni<Void> upsertIdentifiers(SqlConnection tx, String workspace, List<Node> nodes, List<String> personIds,
                                       List<String> accountIds, List<String> domains) {
        return timed("upsertIdentifiers", () -> super.upsertIdentifiers(tx, workspace, nodes, personIds, accountIds, domains));
    }

    @Override
    public Uni<Void> upsertLinks(SqlConnection tx, String workspace, Collection<Link> links, boolean replacing) {
        return timed("upsertLinks", () -> super.upsertLinks(tx, workspace, links, replacing));
    }

    @Override
    public Uni<Void> replacePersons(SqlConnection tx, String workspace, Collection<String> previous, List<PersonRow> current) {
        return timed("replacePersons", () -> super.replacePersons(tx, workspace, previous, current));
    }

    @Override
    public Uni<Void> appendMemberships(SqlConnection tx, String workspace, List<String> kinds, List<String> payloads) {
        return timed("appendMemberships", () -> super.appendMemberships(tx, workspace, kinds, payloads));
    }
}
