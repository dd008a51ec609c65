package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.repository.JourneyRepository.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.MembershipVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeCausesTest {

    private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

    /**
     * ReportsApiTest's snapshot, by hand. Then: touches paid_search (March 1) and email (March 5) of visitor s1, a deal of
     * 1,000 created March 10, won March 20, lookback 365 days, LINEAR on the revenue basis. Since: a late touch of s1 (March 8,
     * T), visitor s2 with a touch of March 9 joins the account (its touch T, its membership M), the deal restated to 1,500 (D),
     * the lookback cut to 7 days (X: March 1 falls out). paid_search's amount v(S), S the causes taken from now, is the
     * amount over the touches in the window: v({}) = 500, v(T) = 1000/3, v(M) = 500, v(TM) = 250, v(D) = 750, v(TD) = 500,
     * v(MD) = 750, v(TMD) = 375, and 0 whenever X is in S. The Shapley values (weights 1/4, 1/12, 1/12, 1/4 by coalition size):
     * T = -4125/36, M = -625/36, D = 3875/36, X = -17125/36, summing to -500.
     */
    @Test
    void causesOfTheSnapshotScenarioAreTheirShapleyValues() {
        ChangeCauses.Result r = ChangeCauses.explain(scenario(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, "paid_search",
                settings(365), settings(7), true);
        assertEquals(500, r.amountThen(), 1e-9);
        assertEquals(0, r.amountNow(), 1e-9);
        assertEquals(-4125.0 / 36, r.amount()[ChangeCauses.TOUCHES], 1e-9);
        assertEquals(-625.0 / 36, r.amount()[ChangeCauses.IDENTITY], 1e-9);
        assertEquals(3875.0 / 36, r.amount()[ChangeCauses.CRM], 1e-9);
        assertEquals(-17125.0 / 36, r.amount()[ChangeCauses.SETTINGS], 1e-9);
        assertEquals(List.of("opp-s"), r.deals().stream().map(ChangeCauses.DealChange::dealId).toList());

        // The whole report's amount: only the restatement moves it (every combination keeps a touch in the window).
        ChangeCauses.Result total = ChangeCauses.explain(scenario(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, null,
                settings(365), settings(7), true);
        assertEquals(0, total.amount()[ChangeCauses.TOUCHES], 0);
        assertEquals(0, total.amount()[ChangeCauses.IDENTITY], 0);
        assertEquals(500, total.amount()[ChangeCauses.CRM], 1e-9);
        assertEquals(0, total.amount()[ChangeCauses.SETTINGS], 0);
    }

    @Test
    void withoutASettingChangeThreeCausesShareTheChange() {
        ChangeCauses.Result r = ChangeCauses.explain(scenario(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, "paid_search",
                settings(365), settings(365), false);
        // v({}) = 500, v(TMD) = 375: T, M, D as above without X (weights 1/3, 1/6, 1/6, 1/3).
        assertEquals(375 - 500, r.amount()[0] + r.amount()[1] + r.amount()[2], 1e-9);
        assertEquals(0, r.amount()[ChangeCauses.SETTINGS], 0);
        assertEquals(-(250.0 / 3) / 6 - 125.0 / 3, r.amount()[ChangeCauses.IDENTITY], 1e-9);
    }

    @Test
    void shapleyValuesOfAnyGameSumToItsWholeChange() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int players = 3 + random.nextInt(2);
            double[][] value = new double[1 << players][];
            for (int c = 0; c < value.length; c++) {
                value[c] = new double[]{random.nextGaussian() * 1e6, random.nextDouble()};
            }
            double sum = 0;
            for (int p = 0; p < players; p++) {
                sum += ChangeCauses.shapley(value, players, p, 0);
            }
            assertEquals(value[value.length - 1][0] - value[0][0], sum, 1e-6);
        }
    }

    /**
     * CONTACT_ROLES journeys, by hand. A deal of 1,000 (created March 10, won March 20) names contact c1, whose identifier
     * resolves to person p1; p1's visitor v1 touched paid_search on March 1; a colleague p2 (same account, no role) touched
     * email on March 2; visitor v3 (person p3 of another company then) touched events on March 5. Since: a late touch of v1
     * (social, March 8: T) and v3 merged into p1 (M). paid_search's amount, LINEAR: v({}) = 1000 (only p1's touch), v(T) =
     * 500, v(M) = 500, v(TM) = 1000/3; the CRM did not change, so T and M share: each ½(−500) + ½(1000/3 − 500) = −1000/3.
     * Under ACCOUNT journeys the colleague's touch counts too (then 500), and switching the scope is a SETTINGS cause.
     */
    @Test
    void contactRoleJourneysFollowTheRolesPersonsThroughTheirMerges() {
        ChangeCauses.Result r = ChangeCauses.explain(roles(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, "paid_search",
                settings(365, JourneyScope.CONTACT_ROLES), settings(365, JourneyScope.CONTACT_ROLES), false);
        assertEquals(1000, r.amountThen(), 1e-9);
        assertEquals(1000.0 / 3, r.amountNow(), 1e-9);
        assertEquals(-1000.0 / 3, r.amount()[ChangeCauses.TOUCHES], 1e-9);
        assertEquals(-1000.0 / 3, r.amount()[ChangeCauses.IDENTITY], 1e-9);
        assertEquals(0, r.amount()[ChangeCauses.CRM], 0);

        ChangeCauses.Result account = ChangeCauses.explain(roles(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, "paid_search",
                settings(365), settings(365), false);
        assertEquals(500, account.amountThen(), 1e-9, "the colleague's email counts in the account's journey");

        ChangeCauses.Result switched = ChangeCauses.explain(roles(), MARCH, APRIL, Basis.REVENUE, Dimension.CHANNEL, "paid_search",
                settings(365), settings(365, JourneyScope.CONTACT_ROLES), true);
        assertEquals(500, switched.amountThen(), 1e-9);
        assertEquals(1000.0 / 3, switched.amountNow(), 1e-9);
        double sum = 0;
        for (double cause : switched.amount()) {
            sum += cause;
        }
        assertEquals(1000.0 / 3 - 500, sum, 1e-9);
        assertTrue(switched.amount()[ChangeCauses.SETTINGS] > 0, "dropping the colleague's touch gives paid_search more");
    }

    private static Versions roles() {
        DealVersion deal = new DealVersion("opp-r", "acct-r", new BigDecimal("1000.00"), "USD",
                Instant.parse("2026-03-10T00:00:00Z"), "WON", Instant.parse("2026-03-20T00:00:00Z"), List.of("c1"), true, true);
        return new Versions(List.of(deal), List.of(),
                List.of(new MembershipVersion("contact_id:c1", "p1", "acct-r", true, true),
                        new MembershipVersion("anonymous_id:v1", "p1", "acct-r", true, true),
                        new MembershipVersion("anonymous_id:v2", "p2", "acct-r", true, true),
                        new MembershipVersion("anonymous_id:v3", "p3", "acct-x", true, false),
                        new MembershipVersion("anonymous_id:v3", "p1", "acct-r", false, true)),
                List.of(touch("r-t1", "2026-03-01T00:00:00Z", "paid_search", "v1", true),
                        touch("r-t2", "2026-03-02T00:00:00Z", "email", "v2", true),
                        touch("r-t3", "2026-03-05T00:00:00Z", "events", "v3", true),
                        touch("r-t4", "2026-03-08T00:00:00Z", "social", "v1", false)));
    }

    private static Versions scenario() {
        return new Versions(
                List.of(deal("1000.00", true, false), deal("1500.00", false, true)),
                List.of(),
                List.of(new MembershipVersion("anonymous_id:s1", "p_s1", "acct-s", true, true),
                        new MembershipVersion("anonymous_id:s2", "p_s1", "acct-s", false, true)),
                List.of(touch("s-t1", "2026-03-01T00:00:00Z", "paid_search", "s1", true),
                        touch("s-t2", "2026-03-05T00:00:00Z", "email", "s1", true),
                        touch("s-t3", "2026-03-08T00:00:00Z", "events", "s1", false),
                        touch("s-t4", "2026-03-09T00:00:00Z", "offline", "s2", false)));
    }

    private static DealVersion deal(String amount, boolean then, boolean now) {
        return new DealVersion("opp-s", "acct-s", new BigDecimal(amount), "USD", Instant.parse("2026-03-10T00:00:00Z"), "WON",
                Instant.parse("2026-03-20T00:00:00Z"), List.of(), then, now);
    }

    private static TouchVersion touch(String id, String at, String channel, String visitor, boolean then) {
        return new TouchVersion(new TouchRow(id, Instant.parse(at), "PAGE_VIEW", channel, null, null, null, null, Set.of()),
                List.of("anonymous_id:" + visitor), then, true);
    }

    private static ChangeCauses.Settings settings(int lookbackDays) {
        return settings(lookbackDays, JourneyScope.ACCOUNT);
    }

    private static ChangeCauses.Settings settings(int lookbackDays, JourneyScope scope) {
        return new ChangeCauses.Settings(Duration.ofDays(lookbackDays), ModelName.LINEAR.ruleBased(7, null), scope);
    }
}
