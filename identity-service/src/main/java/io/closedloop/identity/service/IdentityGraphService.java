package io.closedloop.identity.service;

import io.closedloop.identity.graph.AccountResolver;
import io.closedloop.identity.graph.Domains;
import io.closedloop.identity.graph.Identifier;
import io.closedloop.identity.graph.IdentityGraph;
import io.closedloop.identity.graph.Link;
import io.closedloop.identity.graph.Node;
import io.closedloop.identity.graph.PersonIds;
import io.closedloop.identity.graph.PersonMerge;
import io.closedloop.identity.repository.GraphRepository;
import io.closedloop.identity.repository.GraphRepository.PersonRow;
import io.closedloop.identity.repository.GraphRepository.StoredIdentifier;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.logging.Log;
import io.closedloop.plumbing.feed.KafkaRelay;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Applies pages of ingestion's feeds to the stored identity graph, inside the consumer's
 * transaction (the one that also stores the feed position). Each page loads only the persons it
 * touches (the working set), changes them in memory, and writes back what changed in batches,
 * appending an item to the memberships feed for every identifier whose person or account changed.
 * A page of new links usually takes a faster path that merges the stored persons without loading
 * their links ({@link PersonMerge}); it falls back to the working-set recompute whenever a person
 * could split or the explosion guard could trip, and both give the same result.
 */
@ApplicationScoped
public class IdentityGraphService {

    private final GraphRepository repository;
    private final String secret;
    private final AtomicLong mergedPages = new AtomicLong();

    /** @param secret identity's {@code closedloop.privacy.key}: person ids and tombstones are keyed with it (graph/PersonIds) */
    public IdentityGraphService(GraphRepository repository, @ConfigProperty(name = "closedloop.privacy.key") String secret) {
        this.repository = repository;
        this.secret = secret;
        PersonIds.of(secret, ""); // refuses a missing or short secret at startup
    }

    PersonIds personIds(String workspace) {
        return PersonIds.of(secret, workspace);
    }

    // ---- identity-facts: identify, alias, group, link

    public Uni<Void> applyFacts(SqlConnection tx, List<FeedItem> items) {
        return applyFacts(tx, items, true);
    }

    /**
     * @param merge whether a page of new links may take the fast path (merging stored persons); false
     *              always recomputes the working set, which must give the same result (tested)
     */
    public Uni<Void> applyFacts(SqlConnection tx, List<FeedItem> items, boolean merge) {
        return perWorkspace(tx, items, (workspace, page) -> {
            // An erasure request comes on this feed after every fact stored before it: the facts before it, then it, then the rest.
            Uni<Void> chain = Uni.createFrom().voidItem();
            List<FeedItem> run = new ArrayList<>();
            for (FeedItem item : page) {
                if (item.kind().equals("erasure")) {
                    List<FeedItem> facts = List.copyOf(run);
                    run.clear();
                    chain = chain.chain(() -> applyLinks(tx, workspace, facts, merge)).chain(() -> erase(tx, workspace, item));
                } else {
                    run.add(item);
                }
            }
            List<FeedItem> facts = List.copyOf(run);
            return chain.chain(() -> applyLinks(tx, workspace, facts, merge));
        });
    }

    private Uni<Void> applyLinks(SqlConnection tx, String workspace, List<FeedItem> page, boolean merge) {
        List<Link> links = new ArrayList<>();
        for (FeedItem item : page) {
            Link link = toLink(item);
            if (link != null) {
                links.add(link);
            }
        }
        if (links.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        PersonIds ids = personIds(workspace);
        Set<String> keys = new LinkedHashSet<>();
        links.forEach(l -> keys.addAll(l.members()));
        Map<String, String> hashes = new HashMap<>();
        keys.forEach(k -> hashes.put(ids.tombstone(k), k));
        // The page's reads are independent: sent together, the connection pipelines them.
        Map<String, PersonMerge.StoredKey> stored = new HashMap<>();
        Map<String, PersonMerge.PersonState> persons = new HashMap<>();
        Uni<GraphRepository.Guard> guard = merge ? repository.guard(tx, workspace) : Uni.createFrom().item(new GraphRepository.Guard(0, 0));
        Uni<Void> storedKeys = merge ? repository.storedKeys(tx, workspace, keys, stored, persons) : Uni.createFrom().voidItem();
        return Uni.combine().all().unis(repository.erasedHashes(tx, workspace, hashes.keySet()),
                repository.linksById(tx, workspace, links.stream().map(Link::factId).distinct().toList()), guard, storedKeys)
                .asTuple().chain(read -> {
                    Set<String> erased = new HashSet<>();
                    read.getItem1().forEach(h -> erased.add(hashes.get(h)));
                    List<Link> kept = new ArrayList<>();
                    Set<String> keptIds = new HashSet<>();
                    for (Link l : links) {
                        List<String> members = l.members().stream().filter(m -> !erased.contains(m)).toList();
                        if (!members.isEmpty()) {
                            kept.add(new Link(l.factId(), l.kind(), l.seq(), l.accountId(), members));
                            keptIds.add(l.factId());
                        }
                    }
                    keys.removeAll(erased);
                    List<Link> previous = read.getItem2().stream().filter(l -> keptIds.contains(l.factId())).toList();
                    previous.forEach(l -> keys.addAll(l.members()));
                    List<PersonMerge.Merged> merged = merge && previous.isEmpty()
                            ? PersonMerge.merge(kept, stored, persons, read.getItem3().limit(), read.getItem3().quarantinedPersonal(), ids)
                            : null;
                    if (merged != null) {
                        mergedPages.incrementAndGet();
                        return writeMerged(tx, workspace, kept, merged);
                    }
                    return recompute(tx, workspace, keys, graph -> kept.forEach(graph::assertLink));
                });
    }

    /**
     * The fast path, when {@link PersonMerge} found no split or guard trip possible: new links merge
     * the stored persons they name; only the identifiers of persons whose id or account changes are read.
     */
    private Uni<Void> writeMerged(SqlConnection tx, String workspace, List<Link> links, List<PersonMerge.Merged> merged) {
        Set<String> contacts = new HashSet<>();
        Set<String> domains = new HashSet<>();
        merged.forEach(m -> {
            contacts.addAll(m.contacts());
            domains.addAll(m.domains());
        });
        return Uni.combine().all().unis(repository.contactAccounts(tx, workspace, contacts), repository.domainAccounts(tx, workspace, domains))
                .asTuple().chain(accounts -> writeMerged(tx, workspace, links, merged, accounts.getItem1(), accounts.getItem2()));
    }

    private Uni<Void> writeMerged(SqlConnection tx, String workspace, List<Link> links, List<PersonMerge.Merged> merged,
                                  Map<String, String> contactAccounts, Map<String, Set<String>> domainAccounts) {
        // by identity: a Merged record hashes all its sets
        Map<PersonMerge.Merged, AccountResolver.Resolution> resolutions = new java.util.IdentityHashMap<>();
        Map<String, PersonMerge.Merged> relabel = new HashMap<>();
        List<String> previous = new ArrayList<>();
        List<PersonRow> rows = new ArrayList<>();
        for (PersonMerge.Merged m : merged) {
            AccountResolver.Resolution r = resolve(m.crm(), m.group(), m.contacts(), m.domains(), contactAccounts, domainAccounts);
            resolutions.put(m, r);
            String person = m.personId();
            for (PersonMerge.PersonState p : m.absorbed()) {
                previous.add(p.personId());
                if (!p.personId().equals(person) || !Objects.equals(p.accountId(), r.accountId())) {
                    relabel.put(p.personId(), m);
                }
            }
            rows.add(new PersonRow(person, r.accountId(), r.ambiguous(), false, m.identifiers(), m.earliestKey(), m.earliestSeq(),
                    m.personal(), m.crm(), m.group(), m.contacts(), m.domains()));
        }
        return repository.identifiersOfPersons(tx, workspace, relabel.keySet()).chain(stored -> {
            List<Node> changed = new ArrayList<>();
            List<String> personIds = new ArrayList<>();
            List<String> accountIds = new ArrayList<>();
            List<String> domains = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            List<String> payloads = new ArrayList<>();
            for (StoredIdentifier s : stored) {
                PersonMerge.Merged m = relabel.get(s.personId());
                changed.add(s.node());
                personIds.add(m.personId());
                accountIds.add(resolutions.get(m).accountId());
            }
            for (PersonMerge.Merged m : merged) {
                for (Node node : m.added()) {
                    changed.add(node);
                    personIds.add(m.personId());
                    accountIds.add(resolutions.get(m).accountId());
                }
            }
            for (int i = 0; i < changed.size(); i++) {
                Identifier id = changed.get(i).identifier();
                domains.add(Domains.corporateDomain(id));
                kinds.add("membership");
                payloads.add(membership(id, personIds.get(i), accountIds.get(i)).encode());
            }
            // independent writes, pipelined
            return Uni.combine().all().unis(repository.upsertIdentifiers(tx, workspace, changed, personIds, accountIds, domains),
                    repository.upsertLinks(tx, workspace, links, false),
                    repository.replacePersons(tx, workspace, previous, rows),
                    repository.appendMemberships(tx, workspace, kinds, payloads)).discardItems();
        });
    }

    /** How many workspace pages of facts took the fast path (merging stored persons) since start. */
    public long mergedPages() {
        return mergedPages.get();
    }

    // ---- crm: accounts and contacts (opportunities are not the identity service's concern)

    /** A page's accounts and contacts, each in its last state of the page, written in a few statements for any number. */
    public Uni<Void> applyCrm(SqlConnection tx, List<FeedItem> items) {
        return perWorkspace(tx, items, (workspace, page) -> {
            Map<String, GraphRepository.AccountRow> accounts = new LinkedHashMap<>();
            Map<String, String> contacts = new LinkedHashMap<>();
            for (FeedItem item : page) {
                JsonObject p = item.payload();
                String id = p.getString("id");
                if (id == null || id.isBlank()) {
                    Log.warnf("crm item %d: no id; skipped", item.seq());
                    continue;
                }
                if (item.kind().equals("account")) {
                    Set<String> own = new LinkedHashSet<>();
                    JsonArray list = p.getJsonArray("domains", new JsonArray());
                    for (int i = 0; i < list.size(); i++) {
                        String d = Domains.registeredDomain(String.valueOf(list.getValue(i)));
                        if (d != null && !Domains.isFreeMail(d)) {
                            own.add(d);
                        }
                    }
                    accounts.put(id, new GraphRepository.AccountRow(id, p.getString("name"), own));
                } else if (item.kind().equals("contact")) {
                    contacts.put(id.trim(), p.getString("accountId"));
                }
            }
            return repository.upsertAccounts(tx, workspace, accounts.values())
                    .call(() -> repository.upsertContacts(tx, workspace, contacts))
                    .chain(domains -> repository.keysWithDomains(tx, workspace, domains))
                    .chain(keys -> {
                        Set<String> seeds = new LinkedHashSet<>(keys);
                        contacts.keySet().forEach(c -> seeds.add(Identifier.CONTACT_ID + ":" + c));
                        return recompute(tx, workspace, seeds, graph -> {
                        });
                    });
        });
    }

    // ---- erasures

    /**
     * Erases the whole person of an erasure request (DESIGN §6): every identifier of the persons the request's identifiers
     * belong to now (every fact stored before the request has been applied: it came first on the feed), their links and
     * person rows, and their history on the memberships feed; keyed tombstones keep later facts from bringing them back.
     * The report, with the identifiers ingestion needs to delete their touches, waits in the outbox until ingestion took it.
     */
    Uni<Void> erase(SqlConnection tx, String workspace, FeedItem item) {
        String id = item.payload().getString("id", "");
        String erasureId = id.startsWith("erasure:") ? id.substring("erasure:".length()) : id;
        Set<String> requested = new LinkedHashSet<>();
        JsonArray given = item.payload().getJsonArray("identifiers", new JsonArray());
        for (int i = 0; i < given.size(); i++) {
            try {
                JsonObject identifier = given.getJsonObject(i);
                requested.add(Identifier.of(identifier.getString("type"), identifier.getString("value")).key());
            } catch (RuntimeException e) {
                Log.warnf("erasure %s: identifiers[%d] skipped (not an identifier)", erasureId, i);
            }
        }
        PersonIds ids = personIds(workspace);
        return repository.identifiersOfPersonsOf(tx, workspace, requested).chain(rows -> {
            Set<String> all = new LinkedHashSet<>(requested);
            Set<String> persons = new HashSet<>();
            for (StoredIdentifier row : rows) {
                all.add(row.node().identifier().key());
                persons.add(row.personId());
            }
            int[] links = new int[1];
            return repository.markErased(tx, workspace, all.stream().map(ids::tombstone).toList())
                    .chain(() -> recompute(tx, workspace, all, graph -> {
                        all.forEach(graph::erase);
                        links[0] = graph.removedLinks().size();
                    }))
                    // With the Kafka transport, the memberships being relayed go out first, none after (KafkaRelay).
                    .chain(() -> KafkaRelay.awaitPagesInFlight(tx))
                    .chain(() -> repository.deleteMemberships(tx, workspace, all))
                    .chain(memberships -> {
                        JsonObject removed = new JsonObject().put("identifiers", rows.size()).put("persons", persons.size())
                                .put("links", links[0]).put("memberships", memberships);
                        List<Identifier> identifiers = all.stream().map(Identifier::fromKey).toList();
                        return repository.saveErasureReport(tx, workspace, erasureId, identifiers, removed);
                    });
        });
    }

    // ---- the working set

    /**
     * Loads the persons of {@code seeds} (closed over links), applies {@code change}, and writes back
     * what changed. Only these components are recomputed.
     */
    Uni<Void> recompute(SqlConnection tx, String workspace, Set<String> seeds, Consumer<IdentityGraph> change) {
        return repository.guardLimit(tx, workspace).chain(limit -> {
            IdentityGraph graph = new IdentityGraph(limit, personIds(workspace));
            Map<String, StoredIdentifier> before = new HashMap<>();
            return load(tx, workspace, graph, before, seeds, 0).chain(() -> {
                change.accept(graph);
                return store(tx, workspace, graph, before);
            });
        });
    }

    private Uni<Void> load(SqlConnection tx, String workspace, IdentityGraph graph, Map<String, StoredIdentifier> before,
                           Set<String> seeds, int round) {
        if (seeds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (round > 1000) {
            return Uni.createFrom().failure(new IllegalStateException("working set did not close after 1000 rounds"));
        }
        return repository.identifiersOfPersonsOf(tx, workspace, seeds).chain(rows -> {
            List<String> connecting = new ArrayList<>();
            for (StoredIdentifier row : rows) {
                String key = row.node().identifier().key();
                if (!before.containsKey(key)) {
                    before.put(key, row);
                    graph.load(row.node());
                    if (!row.node().quarantined()) {
                        connecting.add(key);
                    }
                }
            }
            if (connecting.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return repository.linksOf(tx, workspace, connecting).chain(links -> {
                Set<String> missing = new LinkedHashSet<>();
                for (Link link : links) {
                    if (graph.link(link.factId()) == null) {
                        graph.load(link);
                    }
                    for (String m : link.members()) {
                        if (!graph.contains(m)) {
                            missing.add(m);
                        }
                    }
                }
                return load(tx, workspace, graph, before, missing, round + 1);
            });
        });
    }

    private Uni<Void> store(SqlConnection tx, String workspace, IdentityGraph graph, Map<String, StoredIdentifier> before) {
        Map<String, String> personOf = graph.persons();
        Map<String, List<String>> members = new LinkedHashMap<>();
        personOf.forEach((key, person) -> members.computeIfAbsent(person, p -> new ArrayList<>()).add(key));

        Set<String> contactIds = new HashSet<>();
        Set<String> domains = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (node.identifier().type().equals(Identifier.CONTACT_ID)) {
                contactIds.add(node.identifier().value());
            }
            String domain = Domains.corporateDomain(node.identifier());
            if (domain != null) {
                domains.add(domain);
            }
        }
        Map<String, Evidence> evidence = evidence(graph, personOf, members);
        return repository.contactAccounts(tx, workspace, contactIds).chain(contactAccounts ->
                repository.domainAccounts(tx, workspace, domains).chain(domainAccounts -> {
                    Map<String, AccountResolver.Resolution> resolutions = new HashMap<>();
                    evidence.forEach((person, e) -> resolutions.put(person, resolve(e.crm, e.group, e.contacts, e.domains,
                            contactAccounts, domainAccounts)));
                    return write(tx, workspace, graph, before, personOf, members, evidence, resolutions);
                }));
    }

    /** What a person's account resolution reads, collected from the working set (kept on the person for merges). */
    private static final class Evidence {
        final Set<String> crm = new LinkedHashSet<>();
        final Set<String> group = new LinkedHashSet<>();
        final Set<String> contacts = new LinkedHashSet<>();
        final Set<String> domains = new LinkedHashSet<>();
        String earliestKey;
        long earliestSeq;
        int personal;
    }

    private static Map<String, Evidence> evidence(IdentityGraph graph, Map<String, String> personOf, Map<String, List<String>> members) {
        Map<String, Evidence> out = new LinkedHashMap<>();
        members.forEach((person, keys) -> {
            Evidence e = new Evidence();
            for (String key : keys) {
                Node node = graph.node(key);
                Identifier id = node.identifier();
                if (e.earliestKey == null || node.firstSeq() < e.earliestSeq
                        || (node.firstSeq() == e.earliestSeq && key.compareTo(e.earliestKey) < 0)) {
                    e.earliestKey = key;
                    e.earliestSeq = node.firstSeq();
                }
                if (id.personal()) {
                    e.personal++;
                }
                if (id.type().equals(Identifier.CONTACT_ID)) {
                    e.contacts.add(id.value());
                }
                String domain = Domains.corporateDomain(id);
                if (domain != null) {
                    e.domains.add(domain);
                }
            }
            out.put(person, e);
        });
        for (Link link : graph.links()) {
            if (link.accountId() == null || !(link.kind().equals(Link.GROUP) || link.kind().equals(Link.LINK))) {
                continue;
            }
            for (String key : link.members()) {
                if (!graph.node(key).quarantined()) {
                    Evidence e = out.get(personOf.get(key));
                    (link.kind().equals(Link.GROUP) ? e.group : e.crm).add(link.accountId());
                }
            }
        }
        return out;
    }

    /** The account of a person from its evidence: CRM (links, contacts' accounts), then group calls, then email domains. */
    private static AccountResolver.Resolution resolve(Set<String> crmLinks, Set<String> group, Set<String> contacts, Set<String> domains,
                                                      Map<String, String> contactAccounts, Map<String, Set<String>> domainAccounts) {
        Set<String> fromCrm = new HashSet<>(crmLinks);
        for (String contact : contacts) {
            String account = contactAccounts.get(contact);
            if (account != null) {
                fromCrm.add(account);
            }
        }
        Set<String> fromDomains = new HashSet<>();
        for (String domain : domains) {
            Set<String> accounts = domainAccounts.get(domain);
            if (accounts == null || accounts.isEmpty()) {
                fromDomains.add("domain:" + domain);
            } else {
                fromDomains.addAll(accounts);
            }
        }
        return AccountResolver.resolve(fromCrm, group, fromDomains);
    }

    private Uni<Void> write(SqlConnection tx, String workspace, IdentityGraph graph, Map<String, StoredIdentifier> before,
                            Map<String, String> personOf, Map<String, List<String>> members, Map<String, Evidence> evidence,
                            Map<String, AccountResolver.Resolution> resolutions) {
        List<Node> changed = new ArrayList<>();
        List<String> personIds = new ArrayList<>();
        List<String> accountIds = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (Node node : graph.nodes()) {
            String key = node.identifier().key();
            String person = personOf.get(key);
            String account = resolutions.get(person).accountId();
            StoredIdentifier old = before.get(key);
            boolean membershipChanged = old == null || !old.personId().equals(person) || !Objects.equals(old.accountId(), account);
            if (membershipChanged || !old.node().equals(node)) {
                changed.add(node);
                personIds.add(person);
                accountIds.add(account);
                domains.add(Domains.corporateDomain(node.identifier()));
            }
            if (membershipChanged) {
                kinds.add("membership");
                payloads.add(membership(node.identifier(), person, account).encode());
            }
        }
        Set<String> previousPersons = new HashSet<>();
        before.values().forEach(s -> previousPersons.add(s.personId()));
        List<PersonRow> persons = new ArrayList<>();
        members.forEach((person, keys) -> {
            AccountResolver.Resolution r = resolutions.get(person);
            boolean quarantined = keys.size() == 1 && graph.node(keys.get(0)).quarantined();
            Evidence e = evidence.get(person);
            persons.add(new PersonRow(person, r.accountId(), r.ambiguous(), quarantined, keys.size(), e.earliestKey, e.earliestSeq,
                    e.personal, e.crm, e.group, e.contacts, e.domains));
        });
        List<Link> links = new ArrayList<>();
        graph.changedLinks().forEach(id -> links.add(graph.link(id)));
        if (!graph.newlyQuarantined().isEmpty()) {
            Log.infof("workspace %s: %d identifier(s) quarantined by the explosion guard", workspace, graph.newlyQuarantined().size());
        }
        return repository.deleteIdentifiers(tx, workspace, graph.erased())
                .chain(() -> repository.upsertIdentifiers(tx, workspace, changed, personIds, accountIds, domains))
                .chain(() -> repository.deleteLinks(tx, workspace, graph.removedLinks()))
                .chain(() -> repository.upsertLinks(tx, workspace, links))
                .chain(() -> repository.replacePersons(tx, workspace, previousPersons, persons))
                .chain(() -> repository.appendMemberships(tx, workspace, kinds, payloads));
    }

    static JsonObject membership(Identifier identifier, String personId, String accountId) {
        return new JsonObject()
                .put("identifier", new JsonObject().put("type", identifier.type()).put("value", identifier.value()))
                .put("personId", personId)
                .put("accountId", accountId);
    }

    /** The link an identity fact asserts; null (logged, skipped) when it names no usable identifier. */
    static Link toLink(FeedItem item) {
        JsonObject p = item.payload();
        String factId = p.getString("id");
        if (factId == null || factId.isBlank()) {
            factId = "seq:" + item.seq();
        }
        List<String> members = new ArrayList<>();
        JsonArray ids = p.getJsonArray("identifiers", new JsonArray());
        for (int i = 0; i < ids.size(); i++) {
            try {
                JsonObject id = ids.getJsonObject(i);
                String key = Identifier.of(id.getString("type"), id.getString("value")).key();
                if (!members.contains(key)) {
                    members.add(key);
                }
            } catch (RuntimeException e) {
                Log.warnf("identity fact %d: identifiers[%d] skipped: %s", item.seq(), i, e.getMessage());
            }
        }
        if (members.isEmpty()) {
            Log.warnf("identity fact %d: no usable identifier; skipped", item.seq());
            return null;
        }
        JsonObject account = p.getJsonObject("account");
        String accountId = account == null ? null : account.getString("id");
        if (accountId != null && accountId.isBlank()) {
            accountId = null;
        }
        return new Link(item.kind() + ":" + factId, item.kind(), item.seq(), accountId, members);
    }

    /**
     * Runs {@code apply} for each workspace's items in turn, keeping the feed's order within a
     * workspace. The three consumers run concurrently; a transaction-scoped lock per workspace makes
     * their read-modify-write of the same persons serial (each reads after the other committed).
     */
    private Uni<Void> perWorkspace(SqlConnection tx, List<FeedItem> items,
                                   java.util.function.BiFunction<String, List<FeedItem>, Uni<Void>> apply) {
        Map<String, List<FeedItem>> byWorkspace = new LinkedHashMap<>();
        for (FeedItem item : items) {
            if (item.workspace() != null) {
                byWorkspace.computeIfAbsent(item.workspace(), w -> new ArrayList<>()).add(item);
            }
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, List<FeedItem>> e : byWorkspace.entrySet()) {
            chain = chain.chain(() -> repository.lockWorkspace(tx, e.getKey()))
                    .chain(() -> apply.apply(e.getKey(), e.getValue()));
        }
        return chain;
    }
}
