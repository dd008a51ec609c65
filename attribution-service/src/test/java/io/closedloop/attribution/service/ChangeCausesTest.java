package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.VersionRepository.DealVersion;
import io.closedloop.attribution.repository.VersionRepository.MembershipVersion;
import io.closedloop.attribution.repository.VersionRepository.TouchVersion;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
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

    /**
     * The two ways a data-driven change is explained agree: from the touches in memory with the changed accounts' versions
     * (PopulationChangeCauses, ACCOUNT journeys) and from the period's versions alone (RowChangeCauses, which CONTACT_ROLES
     * journeys use), each combination's population built by its own path (StoredJourneys; AttributionService.population).
     * A late touch, a visitor moved from one account to another, a restated deal; a lost deal and an account with no deal
     * in the population; MARKOV orders 1 and 2 and SHAPLEY, both bases, every group and the total.
     */
    @Test
    void aDataDrivenChangeIsSplitAlikeFromMemoryAndFromTheVersionsAlone() {
        Versions versions = population();
        // The data now, as the store keeps it: touches by account in code point order, and the deals.
        AccountTouches memory = AccountTouches.builder(1, null, 0)
                .add("acct-l", "l-t1", at("2026-03-02"), "PAGE_VIEW", "social", null, null, null, null)
                .add("acct-l", "l-t2", at("2026-03-06"), "PAGE_VIEW", "paid_search", null, null, null, null)
                .add("acct-o", "o-t1", at("2026-03-03"), "PAGE_VIEW", "paid_search", null, null, null, null)
                .add("acct-o", "o-t2", at("2026-03-04"), "PAGE_VIEW", "email", null, null, null, null)
                .add("acct-s", "s-t1", at("2026-03-01"), "PAGE_VIEW", "paid_search", null, null, null, null)
                .add("acct-s", "s-t2", at("2026-03-05"), "PAGE_VIEW", "email", null, null, null, null)
                .add("acct-s", "s-t3", at("2026-03-08"), "PAGE_VIEW", "events", null, null, null, null)
                .add("acct-s", "s-t4", at("2026-03-09"), "PAGE_VIEW", "offline", null, null, null, null)
                .build();
        List<Opportunity> deals = List.of(
                new Opportunity("opp-l", "acct-l", new BigDecimal("800.00"), "USD", Instant.parse("2026-03-07T00:00:00Z"), "LOST",
                        Instant.parse("2026-03-25T00:00:00Z"), null, Set.of()),
                new Opportunity("opp-s", "acct-s", new BigDecimal("1500.00"), "USD", Instant.parse("2026-03-10T00:00:00Z"), "WON",
                        Instant.parse("2026-03-20T00:00:00Z"), null, Set.of()));
        JourneyStore.InMemory now = new JourneyStore.InMemory(memory, deals, Opportunity.firstWonIds(deals));
        Set<String> changed = Set.of("acct-s", "acct-o");
        for (ModelName model : List.of(ModelName.MARKOV, ModelName.SHAPLEY)) {
            for (int order = 1; order <= (model == ModelName.MARKOV ? 2 : 1); order++) {
                for (Basis basis : Basis.values()) {
                    ModelOptions options = new ModelOptions(model, basis, null, null, order, null);
                    PopulationChangeCauses.Setting setting = new PopulationChangeCauses.Setting(Duration.ofDays(365), options, null);
                    for (String key : java.util.Arrays.asList(null, "paid_search", "email", "offline")) {
                        ChangeCauses.Result fromMemory = PopulationChangeCauses.explain(now, versions, changed, MARCH, APRIL, basis,
                                Dimension.CHANNEL, key, setting, setting, false);
                        ChangeCauses.Result fromVersions = RowChangeCauses.explain(versions, MARCH, APRIL, basis, Dimension.CHANNEL,
                                key, setting, setting, JourneyScope.ACCOUNT, JourneyScope.ACCOUNT, false);
                        String what = model + " order " + order + " " + basis + " " + key;
                        assertEquals(fromMemory.amountThen(), fromVersions.amountThen(), 1e-9, what + " then");
                        assertEquals(fromMemory.amountNow(), fromVersions.amountNow(), 1e-9, what + " now");
                        for (int cause = 0; cause < 3; cause++) {
                            assertEquals(fromMemory.amount()[cause], fromVersions.amount()[cause], 1e-9, what + " cause " + cause);
                            assertEquals(fromMemory.credit()[cause], fromVersions.credit()[cause], 1e-12, what + " cause " + cause);
                        }
                        assertEquals(fromMemory.deals().stream().map(ChangeCauses.DealChange::dealId).toList(),
                                fromVersions.deals().stream().map(ChangeCauses.DealChange::dealId).toList(), what);
                    }
                    // Not a test that cannot fail: the late touch, the move and the restatement move paid_search's figure.
                    ChangeCauses.Result paid = RowChangeCauses.explain(versions, MARCH, APRIL, basis, Dimension.CHANNEL,
                            "paid_search", setting, setting, JourneyScope.ACCOUNT, JourneyScope.ACCOUNT, false);
                    assertTrue(paid.amount()[ChangeCauses.TOUCHES] != 0 && paid.amount()[ChangeCauses.IDENTITY] != 0,
                            model + " " + basis + ": the late touch and the move change the fit");
                }
            }
        }
    }

    /**
     * Then: acct-s (deal opp-s of 1,000 won in March) with visitor s1's touches March 1 and 5; visitor s2 (touch March 9) in
     * acct-o, with o1's touches; acct-l with a deal lost in March. Now: a late touch of s1 (March 8), s2 moved to acct-s,
     * opp-s restated to 1,500.
     */
    private static Versions population() {
        return new Versions(
                List.of(deal("1000.00", true, false), deal("1500.00", false, true),
                        new DealVersion("opp-l", "acct-l", new BigDecimal("800.00"), "USD", Instant.parse("2026-03-07T00:00:00Z"),
                                "LOST", Instant.parse("2026-03-25T00:00:00Z"), List.of(), true, true)),
                List.of(),
                List.of(new MembershipVersion("anonymous_id:s1", "p_s1", "acct-s", true, true),
                        new MembershipVersion("anonymous_id:s2", "p_s2", "acct-o", true, false),
                        new MembershipVersion("anonymous_id:s2", "p_s1", "acct-s", false, true),
                        new MembershipVersion("anonymous_id:o1", "p_o1", "acct-o", true, true),
                        new MembershipVersion("anonymous_id:l1", "p_l1", "acct-l", true, true)),
                List.of(touch("s-t1", "2026-03-01T00:00:00Z", "paid_search", "s1", true),
                        touch("s-t2", "2026-03-05T00:00:00Z", "email", "s1", true),
                        touch("s-t3", "2026-03-08T00:00:00Z", "events", "s1", false),
                        touch("s-t4", "2026-03-09T00:00:00Z", "offline", "s2", true),
                        touch("o-t1", "2026-03-03T00:00:00Z", "paid_search", "o1", true),
                        touch("o-t2", "2026-03-04T00:00:00Z", "email", "o1", true),
                        touch("l-t1", "2026-03-02T00:00:00Z", "social", "l1", true),
                        touch("l-t2", "2026-03-06T00:00:00Z", "paid_search", "l1", true)));
    }

    private static long at(String day) {
        return Instant.parse(day + "T00:00:00Z").toEpochMilli();
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
