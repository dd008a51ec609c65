package io.closedloop.identity.graph;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityGraphTest {

    private static final PersonIds IDS = PersonIds.of("test-privacy-key-not-for-production-0123456789", "ws");

    private static Link link(String id, long seq, String... members) {
        return new Link(id, "identify", seq, null, List.of(members));
    }

    @Test
    void linkedIdentifiersBecomeOnePersonNamedAfterTheEarliestIdentifier() {
        IdentityGraph graph = new IdentityGraph(50, IDS);
        graph.assertLink(link("f1", 1, "anonymous_id:a1", "user_id:u1"));
        graph.assertLink(link("f2", 2, "user_id:u1", "email:ada@acme.com"));
        graph.assertLink(link("f3", 3, "anonymous_id:a2"));
        Map<String, String> persons = graph.persons();
        String ada = IDS.of("anonymous_id:a1");
        assertEquals(ada, persons.get("anonymous_id:a1"));
        assertEquals(ada, persons.get("user_id:u1"));
        assertEquals(ada, persons.get("email:ada@acme.com"));
        assertEquals(IDS.of("anonymous_id:a2"), persons.get("anonymous_id:a2"));
    }

    @Test
    void personIdDoesNotDependOnTheOrderFactsAreApplied() {
        IdentityGraph forward = new IdentityGraph(50, IDS);
        forward.assertLink(link("f1", 1, "anonymous_id:a1", "user_id:u1"));
        forward.assertLink(link("f2", 2, "user_id:u1", "email:ada@acme.com"));
        IdentityGraph backward = new IdentityGraph(50, IDS);
        backward.assertLink(link("f2", 2, "user_id:u1", "email:ada@acme.com"));
        backward.assertLink(link("f1", 1, "anonymous_id:a1", "user_id:u1"));
        assertEquals(forward.persons(), Map.copyOf(backward.persons()));
    }

    @Test
    void aRepeatedFactReplacesItsLinkInsteadOfAddingOne() {
        IdentityGraph graph = new IdentityGraph(50, IDS);
        graph.assertLink(link("f1", 1, "user_id:u1", "email:old@acme.com"));
        graph.assertLink(link("f1", 1, "user_id:u1", "email:new@acme.com"));
        Map<String, String> persons = graph.persons();
        assertEquals(persons.get("user_id:u1"), persons.get("email:new@acme.com"));
        assertNotEquals(persons.get("user_id:u1"), persons.get("email:old@acme.com"));
        assertEquals(1, graph.links().size());
    }

    @Test
    void aCookieSharedByMorePersonsThanTheLimitIsQuarantinedAndJoinsNobody() {
        IdentityGraph graph = new IdentityGraph(50, IDS);
        for (int i = 0; i < 60; i++) {
            graph.assertLink(link("f" + i, i, "anonymous_id:office", "email:p" + i + "@acme.com"));
        }
        assertTrue(graph.node("anonymous_id:office").quarantined());
        assertEquals(51, graph.node("anonymous_id:office").personsJoined());
        assertEquals(List.of("anonymous_id:office"), graph.newlyQuarantined());
        Map<String, String> persons = graph.persons();
        assertEquals(61, Set.copyOf(persons.values()).size(), "60 persons and the quarantined cookie alone");
    }

    @Test
    void aPersonWithManyDevicesIsNotQuarantined() {
        IdentityGraph graph = new IdentityGraph(50, IDS);
        for (int i = 0; i < 200; i++) {
            graph.assertLink(link("f" + i, i, "anonymous_id:device" + i, "user_id:u1"));
        }
        assertFalse(graph.node("user_id:u1").quarantined());
        assertEquals(1, Set.copyOf(graph.persons().values()).size());
    }

    @Test
    void erasingTheBridgingEmailSplitsThePerson() {
        IdentityGraph graph = new IdentityGraph(50, IDS);
        graph.assertLink(link("f1", 1, "anonymous_id:a1", "email:ada@acme.com"));
        graph.assertLink(link("f2", 2, "anonymous_id:a2", "email:ada@acme.com"));
        assertEquals(1, Set.copyOf(graph.persons().values()).size());
        graph.erase("email:ada@acme.com");
        Map<String, String> persons = graph.persons();
        assertEquals(2, persons.size());
        assertNotEquals(persons.get("anonymous_id:a1"), persons.get("anonymous_id:a2"));
        assertNull(graph.node("email:ada@acme.com"));
        assertEquals(Set.of("f1", "f2"), graph.changedLinks());
        assertEquals(List.of("anonymous_id:a1"), graph.link("f1").members());
    }

    @Test
    void accountResolutionTakesTheFirstRankWithEvidenceAndRefusesToGuess() {
        assertEquals("crm1", AccountResolver.resolve(Set.of("crm1"), Set.of("g1"), Set.of("domain:acme.com")).accountId());
        assertEquals("g1", AccountResolver.resolve(Set.of(), Set.of("g1"), Set.of("domain:acme.com")).accountId());
        assertEquals("domain:acme.com", AccountResolver.resolve(Set.of(), Set.of(), Set.of("domain:acme.com")).accountId());
        AccountResolver.Resolution ambiguous = AccountResolver.resolve(Set.of(), Set.of("g1", "g2"), Set.of("domain:acme.com"));
        assertNull(ambiguous.accountId());
        assertTrue(ambiguous.ambiguous());
        assertEquals(AccountResolver.Resolution.NONE, AccountResolver.resolve(Set.of(), Set.of(), Set.of()));
    }
}
