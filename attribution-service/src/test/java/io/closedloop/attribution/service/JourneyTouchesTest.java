package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whose touches a journey holds, and the non-converting paths of Markov and Shapley, per journey scope. */
class JourneyTouchesTest {

    private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-04-01T00:00:00Z");

    // Account acme: the role r1 (t1), a colleague n1 (t2), both on t3 (a shared mailbox case), before the period t0.
    // Account beta: the role r2 (t4); account gamma: nobody of a deal (t5). The deal is beta's, roles r1 and r2.
    private static final Map<String, List<TouchRow>> BY_ACCOUNT = Map.of(
            "acme", List.of(touch("t0", "2026-02-20", "r1"), touch("t1", "2026-03-02", "r1"), touch("t2", "2026-03-03", "n1"),
                    touch("t3", "2026-03-04", "n1", "r1")),
            "beta", List.of(touch("t4", "2026-03-05", "r2")),
            "gamma", List.of(touch("t5", "2026-03-06", "n5")));
    private static final Opportunity DEAL = new Opportunity("o", "beta", null, "USD", Instant.parse("2026-03-10T00:00:00Z"),
            "OPEN", null, null, Set.of("r1", "r2"));

    @Test
    void contactRolesTakeEveryTouchOfTheRolesPersonsOnceWhereverTheyAreResolved() {
        List<TouchRow> touches = new JourneyTouches(BY_ACCOUNT, JourneyScope.CONTACT_ROLES).of(DEAL);
        assertEquals(4, touches.size(), "t3 carries two persons and is there once");
        assertEquals(Set.of("t0", "t1", "t3", "t4"), ids(touches));
    }

    @Test
    void theAccountScopeTakesTheAccountsTouches() {
        assertEquals(Set.of("t4"), ids(new JourneyTouches(BY_ACCOUNT, JourneyScope.ACCOUNT).of(DEAL)));
    }

    @Test
    void outsideTheAccountScopeAreTheAccountsWithoutADealInScope() {
        List<JourneyTouches.Path> outside = new JourneyTouches(BY_ACCOUNT, JourneyScope.ACCOUNT).outside(List.of(DEAL), FROM, TO);
        // acme and gamma in account order, only touches in the period (t0 is before it).
        assertEquals(List.of(Set.of("t1", "t2", "t3"), Set.of("t5")),
                outside.stream().map(p -> ids(p.touches())).toList());
        assertEquals(List.of("acme", "gamma"), outside.stream().map(JourneyTouches.Path::account).toList());
    }

    @Test
    void outsideContactRolesAreTheTouchesOfNoRolePersonInEveryAccount() {
        List<JourneyTouches.Path> outside = new JourneyTouches(BY_ACCOUNT, JourneyScope.CONTACT_ROLES).outside(List.of(DEAL), FROM,
                TO);
        // t3 carries a role person: it is in the deal's journey, not in a non-converting path.
        assertEquals(List.of(Set.of("t2"), Set.of("t5")), outside.stream().map(p -> ids(p.touches())).toList());
    }

    private static Set<String> ids(List<TouchRow> touches) {
        return Set.copyOf(touches.stream().map(TouchRow::id).toList());
    }

    private static TouchRow touch(String id, String day, String... persons) {
        return new TouchRow(id, Instant.parse(day + "T10:00:00Z"), "PAGE_VIEW", "email", null, null, null, null, Set.of(persons));
    }
}
