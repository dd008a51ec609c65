package io.closedloop.attribution.journey;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpportunityTest {

    private static Opportunity deal(String id, String account, String status, String closedAt) {
        return new Opportunity(id, account, BigDecimal.TEN, "USD", Instant.parse("2026-01-01T00:00:00Z"), status,
                closedAt == null ? null : Instant.parse(closedAt), null, Set.of());
    }

    @Test
    void eachAccountsFirstWonDealClosedFirstThenByIdInCodePointOrder() {
        List<Opportunity> deals = List.of(
                // a microsecond earlier wins
                deal("a-2", "acct-a", "WON", "2026-03-01T10:00:00.000001Z"),
                deal("a-1", "acct-a", "WON", "2026-03-01T10:00:00.000002Z"),
                // the same instant: the id first in code point order ("Z" before "a", unlike a case-blind or locale order)
                deal("b-a", "acct-b", "WON", "2026-03-02T00:00:00Z"),
                deal("b-Z", "acct-b", "WON", "2026-03-02T00:00:00Z"),
                // an earlier close that is not a win, and a win with no close, do not count
                deal("c-lost", "acct-c", "LOST", "2026-01-01T00:00:00Z"),
                deal("c-open", "acct-c", "WON", null),
                deal("c-won", "acct-c", "WON", "2026-04-01T00:00:00Z"),
                // a deal without an account is no customer's
                deal("none", null, "WON", "2026-01-01T00:00:00Z"));
        assertEquals(Set.of("a-2", "b-Z", "c-won"), Opportunity.firstWonIds(deals));
        List<Opportunity> reversed = new ArrayList<>(deals);
        Collections.reverse(reversed);
        assertEquals(Opportunity.firstWonIds(deals), Opportunity.firstWonIds(reversed), "input order does not matter");
    }
}
