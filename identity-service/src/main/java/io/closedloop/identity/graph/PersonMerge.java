package io.closedloop.identity.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fast path for a page of new links: merges stored persons (connected components already
 * known) instead of recomputing their components from every link. Valid only when nothing can
 * split a person or trip the explosion guard; {@link #merge} returns null otherwise and the caller
 * falls back to the working-set recompute ({@link IdentityGraph}), which gives the same result.
 *
 * <p>Why the guard cannot trip: the persons an identifier joins are the personal identifiers on its
 * links; those that are not quarantined are in its (merged) person, so their number is at most the
 * merged person's personal identifiers plus the workspace's quarantined personal identifiers.
 */
public final class PersonMerge {

    /** A stored identifier named by the page. */
    public record StoredKey(String key, String personId, long firstSeq, boolean quarantined) {
    }

    /**
     * A stored person with what its account resolution and id need, kept so that a merge needs no links.
     *
     * @param crm   account ids of CRM links ({@code link} facts with an account) naming its identifiers
     * @param group account ids of group calls naming its identifiers
     */
    public record PersonState(String personId, String accountId, boolean ambiguous, int identifiers, String earliestKey,
                              long earliestSeq, int personal, Set<String> crm, Set<String> group, Set<String> contacts,
                              Set<String> domains) {
    }

    /** A person after the page: the stored persons it absorbed and the identifiers it gained. */
    public record Merged(String personId, String earliestKey, long earliestSeq, int identifiers, int personal, Set<String> crm, Set<String> group,
                         Set<String> contacts, Set<String> domains, List<PersonState> absorbed, List<Node> added) {
    }

    private PersonMerge() {
    }

    /**
     * @param links               the page's links in feed order, none of them replacing a stored fact
     * @param stored              the stored identifiers the links name
     * @param persons             the stored persons of those identifiers
     * @param quarantinedPersonal how many personal identifiers of the workspace are quarantined
     * @return the persons the links touch, or null when the page needs the full recompute
     */
    public static List<Merged> merge(List<Link> links, Map<String, StoredKey> stored, Map<String, PersonState> persons,
                                     int guardLimit, long quarantinedPersonal, PersonIds personIds) {
        // union-find over stored persons ("p" + id) and new identifiers ("k" + key)
        Map<String, String> parent = new HashMap<>();
        Map<String, Long> newKeys = new LinkedHashMap<>();
        Set<String> factIds = new java.util.HashSet<>();
        for (Link link : links) {
            if (!factIds.add(link.factId())) {
                return null; // the same fact twice in one page replaces itself
            }
            String first = null;
            for (String key : link.members()) {
                StoredKey s = stored.get(key);
                String node;
                if (s != null) {
                    if (link.seq() < s.firstSeq()) {
                        return null; // an earlier sequence committed late: first seen changes, let the recompute handle it
                    }
                    if (s.quarantined()) {
                        continue;
                    }
                    if (!persons.containsKey(s.personId())) {
                        return null; // a person stored before its merge state was kept
                    }
                    node = "p" + s.personId();
                } else {
                    newKeys.merge(key, link.seq(), Math::min);
                    node = "k" + key;
                }
                parent.putIfAbsent(node, node);
                if (first == null) {
                    first = node;
                } else {
                    IdentityGraph.union(parent, first, node);
                }
            }
        }
        Map<String, Builder> byRoot = new LinkedHashMap<>();
        for (String node : parent.keySet()) {
            Builder b = byRoot.computeIfAbsent(IdentityGraph.find(parent, node), r -> new Builder());
            if (node.charAt(0) == 'p') {
                b.absorb(persons.get(node.substring(1)));
            } else {
                String key = node.substring(1);
                b.add(new Node(Identifier.fromKey(key), newKeys.get(key), false, 0));
            }
        }
        for (Link link : links) {
            if (link.accountId() == null || !(link.kind().equals(Link.LINK) || link.kind().equals(Link.GROUP))) {
                continue;
            }
            for (String key : link.members()) {
                StoredKey s = stored.get(key);
                if (s != null && s.quarantined()) {
                    continue;
                }
                Builder b = byRoot.get(IdentityGraph.find(parent, s == null ? "k" + key : "p" + s.personId()));
                (link.kind().equals(Link.LINK) ? b.crm : b.group).add(link.accountId());
            }
        }
        List<Merged> out = new ArrayList<>();
        for (Builder b : byRoot.values()) {
            if (b.personal + quarantinedPersonal > guardLimit) {
                return null;
            }
            out.add(new Merged(personIds.of(b.earliestKey), b.earliestKey, b.earliestSeq, b.identifiers, b.personal, b.crm, b.group, b.contacts, b.domains,
                    b.absorbed, b.added));
        }
        return out;
    }

    private static final class Builder {
        String earliestKey;
        long earliestSeq;
        int identifiers;
        int personal;
        final Set<String> crm = new LinkedHashSet<>();
        final Set<String> group = new LinkedHashSet<>();
        final Set<String> contacts = new LinkedHashSet<>();
        final Set<String> domains = new LinkedHashSet<>();
        final List<PersonState> absorbed = new ArrayList<>();
        final List<Node> added = new ArrayList<>();

        void absorb(PersonState p) {
            absorbed.add(p);
            earliest(p.earliestKey(), p.earliestSeq());
            identifiers += p.identifiers();
            personal += p.personal();
            crm.addAll(p.crm());
            group.addAll(p.group());
            contacts.addAll(p.contacts());
            domains.addAll(p.domains());
        }

        void add(Node node) {
            added.add(node);
            Identifier id = node.identifier();
            earliest(id.key(), node.firstSeq());
            identifiers++;
            if (id.personal()) {
                personal++;
            }
            if (id.type().equals(Identifier.CONTACT_ID)) {
                contacts.add(id.value());
            }
            String domain = Domains.corporateDomain(id);
            if (domain != null) {
                domains.add(domain);
            }
        }

        private void earliest(String key, long seq) {
            if (earliestKey == null || seq < earliestSeq || (seq == earliestSeq && key.compareTo(earliestKey) < 0)) {
                earliestKey = key;
                earliestSeq = seq;
            }
        }
    }

}
