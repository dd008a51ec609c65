package io.closedloop.identity.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of one workspace's identity graph that a page of facts touches (its working set): the
 * identifiers of the affected persons and every link between them. Persons are the connected
 * components of the links, found with union-find; a quarantined identifier connects nothing.
 *
 * <p>The working set must be closed: every link of a non-quarantined identifier is loaded, and every
 * identifier of a loaded link is loaded. The caller (storage) guarantees that; the whole graph never
 * needs to be in memory.
 *
 * <p>Explosion guard: the number of persons an identifier joins is the largest number of distinct
 * personal identifiers of one type (user ids, emails, contact ids or phones) that its links tie it
 * to; anonymous ids are devices and never count. When a new link would push it beyond the limit the
 * identifier is quarantined and the component is recomputed without it, so merges are never applied
 * beyond the limit (the ones it made before are undone too).
 */
public final class IdentityGraph {

    private final int guardLimit;
    private final PersonIds personIds;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<String, Set<String>> linksByMember = new HashMap<>();
    private final Set<String> changedLinks = new LinkedHashSet<>();
    private final Set<String> removedLinks = new LinkedHashSet<>();
    private final Set<String> erased = new LinkedHashSet<>();
    private final List<String> newlyQuarantined = new ArrayList<>();

    public IdentityGraph(int guardLimit, PersonIds personIds) {
        this.guardLimit = guardLimit;
        this.personIds = personIds;
    }

    // ---- loading the working set from storage

    public void load(Node node) {
        nodes.put(node.identifier().key(), node);
    }

    public void load(Link link) {
        index(link);
    }

    public boolean contains(String key) {
        return nodes.containsKey(key);
    }

    public Link link(String factId) {
        return links.get(factId);
    }

    // ---- changes

    /** Adds (or replaces, for a repeated fact id) a link; new identifiers take the link's sequence as first seen. */
    public void assertLink(Link link) {
        Link previous = links.get(link.factId());
        if (previous != null) {
            unindex(previous);
        }
        for (String key : link.members()) {
            Node node = nodes.get(key);
            if (node == null) {
                nodes.put(key, new Node(Identifier.fromKey(key), link.seq(), false, 0));
            } else if (link.seq() < node.firstSeq()) {
                nodes.put(key, new Node(node.identifier(), link.seq(), node.quarantined(), node.personsJoined()));
            }
        }
        index(link);
        changedLinks.add(link.factId());
        removedLinks.remove(link.factId());
        for (String key : link.members()) {
            Node node = nodes.get(key);
            if (!node.quarantined()) {
                int joined = personsJoined(key);
                if (joined > guardLimit) {
                    nodes.put(key, new Node(node.identifier(), node.firstSeq(), true, joined));
                    newlyQuarantined.add(key);
                }
            }
        }
    }

    /** Removes an identifier (erasure, a bad link): it leaves every link and its person is recomputed. */
    public void erase(String key) {
        if (nodes.remove(key) == null) {
            return;
        }
        erased.add(key);
        for (String factId : new ArrayList<>(linksByMember.getOrDefault(key, Set.of()))) {
            Link link = links.get(factId);
            unindex(link);
            Link rest = link.without(key);
            if (rest.members().isEmpty()) {
                removedLinks.add(factId);
                changedLinks.remove(factId);
            } else {
                index(rest);
                changedLinks.add(factId);
            }
        }
        linksByMember.remove(key);
    }

    /** The persons an identifier joins, per the guard's definition above. */
    public int personsJoined(String key) {
        Map<String, Set<String>> byType = new HashMap<>();
        for (String factId : linksByMember.getOrDefault(key, Set.of())) {
            for (String other : links.get(factId).members()) {
                Identifier id = nodes.get(other).identifier();
                if (!other.equals(key) && id.personal()) {
                    byType.computeIfAbsent(id.type(), t -> new HashSet<>()).add(other);
                }
            }
        }
        int max = 0;
        for (Set<String> s : byType.values()) {
            max = Math.max(max, s.size());
        }
        return max;
    }

    // ---- results

    /** identifier key → person id, for every identifier of the working set. */
    public Map<String, String> persons() {
        Map<String, String> parent = new HashMap<>();
        for (String key : nodes.keySet()) {
            parent.put(key, key);
        }
        for (Link link : links.values()) {
            String first = null;
            for (String key : link.members()) {
                if (nodes.get(key).quarantined()) {
                    continue;
                }
                if (first == null) {
                    first = key;
                } else {
                    union(parent, first, key);
                }
            }
        }
        Map<String, String> earliest = new HashMap<>();
        Comparator<String> order = Comparator.<String>comparingLong(k -> nodes.get(k).firstSeq()).thenComparing(k -> k);
        for (String key : nodes.keySet()) {
            earliest.merge(find(parent, key), key, (a, b) -> order.compare(a, b) <= 0 ? a : b);
        }
        Map<String, String> persons = new LinkedHashMap<>();
        for (String key : nodes.keySet()) {
            persons.put(key, personIds.of(earliest.get(find(parent, key))));
        }
        return persons;
    }

    public Collection<Node> nodes() {
        return nodes.values();
    }

    public Node node(String key) {
        return nodes.get(key);
    }

    public Collection<Link> links() {
        return links.values();
    }

    public Set<String> changedLinks() {
        return changedLinks;
    }

    public Set<String> removedLinks() {
        return removedLinks;
    }

    public Set<String> erased() {
        return erased;
    }

    public List<String> newlyQuarantined() {
        return newlyQuarantined;
    }

    private void index(Link link) {
        links.put(link.factId(), link);
        for (String key : link.members()) {
            linksByMember.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(link.factId());
        }
    }

    private void unindex(Link link) {
        links.remove(link.factId());
        for (String key : link.members()) {
            Set<String> s = linksByMember.get(key);
            if (s != null) {
                s.remove(link.factId());
            }
        }
    }

    /** Union-find root of {@code key}, compressing the path (also used by PersonMerge). */
    static String find(Map<String, String> parent, String key) {
        String root = key;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        while (!parent.get(key).equals(root)) {
            String next = parent.get(key);
            parent.put(key, root);
            key = next;
        }
        return root;
    }

    static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
        }
    }
}
