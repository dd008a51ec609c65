package io.closedloop.attribution.graphql;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.rollup.CreditRollup;
import io.closedloop.attribution.service.IncrementalRollups;
import io.closedloop.attribution.service.ErasureApplyService;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedConsumer.PageHandler;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The materialized credits: feed pages applied through IncrementalRollups (as the consumers do),
 * then every standard model, basis and dimension read from the rollups over GraphQL and compared
 * with the same report computed on demand, and with hand-computed credits; then changes (a deal
 * won, a touch added, an identifier moved to another account) and a full recompute.
 *
 * The data are AttributionApiTest's: acct-a (a1, u1, a2): t1 03-01 paid_search, t2 03-03 email,
 * t3 03-05 direct form fill, t4 03-08 organic_search, t5 03-15 paid_search; acct-b (b1): b1 03-02
 * paid_social, b2 03-06 email; opp-a acct-a 1000 created 03-10 won 03-20 (LC = t3);
 * opp-b-lost acct-b 500 created 03-07 lost 03-12; opp-b-open acct-b 300 created 03-25; opp-c acct-c
 * 200 created 03-11 (no touches).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollupApiTest {

    private static final String WS = "rollups";
    /** March 2026, both ends inclusive. */
    private static final String MARCH = "period: {from: \"2026-03-01\", to: \"2026-03-31\"}";

    @Inject
    FeedApplyService apply;

    @Inject
    IncrementalRollups incremental;

    @Inject
    ErasureApplyService erasures;

    @Inject
    Pool pool;

    @Inject
    io.closedloop.attribution.recompute.RecomputeService recomputes;

    @Test
    @Order(1)
    void pagesInAnyOrderGiveRollupsEqualToTheOnDemandReports() {
        // CRM first (no touches yet), then touches (no memberships yet: no account), then memberships in two pages.
        page(incremental.crm(apply::applyCrm), List.of(
                contact(1, "c-a", "acct-a", "2026-03-06T00:00:00Z"),
                opportunity(2, "opp-a", "acct-a", "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z", "c-a"),
                opportunity(3, "opp-b-lost", "acct-b", "500.00", "2026-03-07T00:00:00Z", "LOST", "2026-03-12T00:00:00Z", null),
                opportunity(4, "opp-b-open", "acct-b", "300.00", "2026-03-25T00:00:00Z", "OPEN", null, null),
                opportunity(5, "opp-c", "acct-c", "200.00", "2026-03-11T00:00:00Z", "OPEN", null, null)));
        page(incremental.touches(apply::applyTouches), List.of(
                touch(1, "t1", "2026-03-01T10:00:00Z", "PAGE_VIEW", "paid_search", "google", "a1"),
                touch(2, "t2", "2026-03-03T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "u1", "a1"),
                touch(3, "t3", "2026-03-05T10:00:00Z", "FORM_FILL", "direct", null, "a2"),
                touch(4, "t4", "2026-03-08T10:00:00Z", "PAGE_VIEW", "organic_search", "google", "a1")));
        page(incremental.memberships(apply::applyMemberships), List.of(
                membership(1, "anonymous_id", "a1", "acct-a"),
                membership(2, "user_id", "u1", "acct-a"),
                membership(3, "anonymous_id", "a2", "acct-b")));
        page(incremental.touches(apply::applyTouches), List.of(
                touch(5, "t5", "2026-03-15T10:00:00Z", "AD_CLICK", "paid_search", "google", "a1"),
                touch(6, "b1", "2026-03-02T10:00:00Z", "AD_CLICK", "paid_social", "linkedin", "b1"),
                touch(7, "b2", "2026-03-06T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "b1")));
        // a2 moves from acct-b to acct-a: both accounts' journeys change.
        page(incremental.memberships(apply::applyMemberships), List.of(
                membership(4, "anonymous_id", "a2", "acct-a"),
                membership(5, "anonymous_id", "b1", "acct-b")));
        assertEveryStandardReportMatchesOnDemand();
    }

    @Test
    @Order(2)
    void linearByChannelFromTheRollupsIsTheHandComputedReport() {
        JsonPath r = ok("{ attribution(" + MARCH + ", model: {name: LINEAR}) { attributedOpportunities"
                + " unattributedOpportunities unattributedAmount dataAsOf rows { key credit amount opportunities } } }", "attribution");
        assertEquals(3, r.getInt("attributedOpportunities"));
        assertEquals(1, r.getInt("unattributedOpportunities"));
        Map<String, double[]> rows = rows(r);
        assertRow(rows, "email", 1.25, 250 + 250 + 150, 3);
        assertRow(rows, "paid_social", 1.0, 250 + 150, 2);
        assertRow(rows, "paid_search", 0.25, 250, 1);
        assertRow(rows, "direct", 0.25, 250, 1);
        assertRow(rows, "organic_search", 0.25, 250, 1);
        assertEquals(5, rows.size());
        // Read from the rollups: dataAsOf is the time of their last change.
        assertEquals(Instant.parse(r.getString("dataAsOf")), pool.query("select updated_at from rollup_state where workspace_id"
                + " = 'rollups'").execute().await().indefinitely().iterator().next().getOffsetDateTime(0).toInstant());
        // W-shaped on revenue: FT t1, LC t3, OC t4 get 0.3 each, t2 (between FT and OC) 0.1, t5 (after OC) nothing.
        Map<String, double[]> w = rows(ok("{ attribution(" + MARCH + ", model: {name: W_SHAPED},"
                + " basis: REVENUE) { rows { key credit amount opportunities } } }", "attribution"));
        assertRow(w, "paid_search", 0.3, 300, 1);
        assertRow(w, "email", 0.1, 100, 1);
        assertRow(w, "direct", 0.3, 300, 1);
        assertRow(w, "organic_search", 0.3, 300, 1);

        // opp-c (200, no touch) is unattributed under every model, from the rollups or computed on demand: the rows and it
        // make up the whole pipeline created in March (1000 + 500 + 300 + 200).
        assertEquals(200, r.getDouble("unattributedAmount"), 1e-9);
        for (String model : List.of("FIRST_TOUCH", "LAST_TOUCH", "LAST_NON_DIRECT", "LINEAR", "TIME_DECAY", "U_SHAPED", "W_SHAPED",
                "FULL_PATH", "J_SHAPED", "INVERSE_J", "CUSTOM, weights: {ft: 0.5, lc: 0, oc: 0.5, cw: 0, middle: 0}", "MARKOV",
                "SHAPLEY")) {
            JsonPath p = ok("{ performance(" + MARCH + ", model: {name: " + model + "}) { rows { edges { node { amount"
                    + " unattributed { count } } } } totals { amount unattributed { count amount } } } }", "performance");
            assertEquals(1, p.getInt("totals.unattributed.count"), model);
            assertEquals("200.00", p.getString("totals.unattributed.amount"), model);
            // Exactly: money is a decimal string.
            assertEquals(new java.math.BigDecimal("2000.00"), new java.math.BigDecimal(p.getString("totals.amount"))
                    .add(new java.math.BigDecimal(p.getString("totals.unattributed.amount"))), model);
            assertNull(p.get("rows.edges[0].node.unattributed"), model + ": rows carry none");
        }
    }

    @Test
    @Order(3)
    void aDealWonATouchAddedAndAnIdentifierMovedChangeTheAggregates() {
        // opp-b-open won on 03-28: it enters the revenue basis with its b1, b2 journey.
        page(incremental.crm(apply::applyCrm), List.of(
                opportunity(10, "opp-b-open", "acct-b", "300.00", "2026-03-25T00:00:00Z", "WON", "2026-03-28T00:00:00Z", null)));
        Map<String, double[]> revenue = rows(ok("{ attribution(" + MARCH + ", basis: REVENUE, model: {name: FIRST_TOUCH})"
                + " { attributedOpportunities rows { key credit amount opportunities } } }", "attribution"));
        assertRow(revenue, "paid_search", 1, 1000, 1);
        assertRow(revenue, "paid_social", 1, 300, 1);
        // A new touch of acct-b (through b1) before opp-b-open's creation, and an identifier moved to acct-b.
        page(incremental.touches(apply::applyTouches), List.of(
                touch(11, "b3", "2026-03-20T10:00:00Z", "PAGE_VIEW", "video", "youtube", "b1")));
        page(incremental.memberships(apply::applyMemberships), List.of(membership(12, "user_id", "u1", "acct-b")));
        Map<String, double[]> last = rows(ok("{ attribution(" + MARCH + ", basis: REVENUE,"
                + " model: {name: LAST_TOUCH}) { rows { key credit amount opportunities } } }", "attribution"));
        // opp-a (still reaches t1, t3, t4, t5 through a1 and a2): last t5; opp-b-open: last b3.
        assertRow(last, "paid_search", 1, 1000, 1);
        assertRow(last, "video", 1, 300, 1);
        // And u1's touch t2 is now also acct-b's (reached through u1; t2 keeps counting for acct-a through a1).
        assertStandardReportsMatchOnDemand(Dimension.CHANNEL, Dimension.TOUCH_TYPE);
    }

    @Test
    @Order(4)
    void aFullRecomputeInPartitionsReplacesTheGenerationWithTheSameFigures() throws Exception {
        // Drift the current rollups on purpose: a full recompute must reset them.
        // linear is model 4 of CreditRollup.MODELS (SQL index 4)
        pool.query("update credit_rollup set credit[4] = credit[4] + 5 where workspace_id = 'rollups'"
                + " and dimension = 'CHANNEL' and key = 'email'").execute().await().indefinitely();
        // Reports read the rollups as of their data version (RollupIndex): a write behind the service's back moves it too.
        pool.query("update rollup_state set updated_at = now() where workspace_id = 'rollups'").execute().await().indefinitely();
        double drifted = rows(ok("{ attribution(" + MARCH + ", model: {name: LINEAR}) { rows { key credit amount opportunities } } }",
                "attribution")).get("email")[0];
        assertTrue(drifted > 5, "the report reads the rollups: " + drifted);
        // Another lookback than the workspace's is computed on demand (assertStandardReportsMatchOnDemand relies on it).
        double computed = rows(ok("{ attribution(" + MARCH + ", model: {name: LINEAR, lookbackDays: 366}) { rows { key credit amount"
                + " opportunities } } }", "attribution")).get("email")[0];
        assertTrue(computed < 5, "computed on demand: " + computed);
        int before = generation();
        String admin = TestKeys.token(WS, "admin");
        for (int partition = 0; partition < 2; partition++) {
            graphql(admin, "mutation { recomputeRollups(partition: " + partition + ", partitions: 2) { generation state partitions } }")
                    .statusCode(200).body("errors", org.hamcrest.Matchers.nullValue())
                    .body("data.recomputeRollups.partitions", org.hamcrest.Matchers.equalTo(2));
        }
        JsonPath progress = awaitRecompute();
        assertEquals("DONE", progress.getString("state"), progress.prettify());
        assertEquals(before + 1, progress.getInt("currentGeneration"));
        assertEquals(3, progress.getInt("accountsTotal")); // acct-a, acct-b, acct-c
        assertEquals(3, progress.getInt("accountsDone"));
        assertEquals(generation(), progress.getInt("currentGeneration"));
        assertEquals(0L, pool.query("select count(*) from credit_rollup where workspace_id = 'rollups' and generation < "
                + generation()).execute().await().indefinitely().iterator().next().getLong(0));
        assertStandardReportsMatchOnDemand(Dimension.CHANNEL, Dimension.SOURCE);

        // Without a partition count this replica runs every partition of its default count itself.
        int partitions = graphql(admin, "mutation { recomputeRollups { partitions } }").statusCode(200)
                .body("errors", org.hamcrest.Matchers.nullValue()).extract().path("data.recomputeRollups.partitions");
        assertEquals(recomputes.defaultPartitions(), partitions);
        progress = awaitRecompute();
        assertEquals("DONE", progress.getString("state"), progress.prettify());
        assertEquals(before + 2, progress.getInt("currentGeneration"));
        assertEquals(partitions, progress.getList("partitionProgress").size());
        assertEquals(3, progress.getInt("accountsDone"));
        assertStandardReportsMatchOnDemand(Dimension.CHANNEL, Dimension.CAMPAIGN);
        graphql(admin, "mutation { recomputeRollups(partition: 1) { generation } }")
                .body("errors[0].message", containsString("recomputeRollups.partition: only with partitions, was 1"));

        graphql(TestKeys.token(WS, "analyst"), "mutation { recomputeRollups { generation } }")
                .body("errors[0].message", containsString("needs the role admin"));
        graphql(admin, "mutation { recomputeRollups(partition: 2, partitions: 2) { generation } }")
                .body("errors[0].message", containsString("recomputeRollups.partition: must be 0 to 1, was 2"));
    }

    @Test
    @Order(5)
    void customWeightsComeFromTheRollupsWhenAllArePositiveAndAreChecked() {
        // Full path rules with FT 0.5, OC 0.5 on opp-a's pipeline journey t1..t4 (+ t2 via u1 in acct-b's too);
        // weights with a 0 are computed on demand.
        Map<String, double[]> rows = rows(ok("{ attribution(period: {from: \"2026-03-10\", to: \"2026-03-10\"}, model: {name: CUSTOM,"
                + " weights: {ft: 0.5, lc: 0, oc: 0.5, cw: 0, middle: 0}}) { rows { key credit amount opportunities } } }",
                "attribution"));
        assertRow(rows, "paid_search", 0.5, 500, 1);
        assertRow(rows, "organic_search", 0.5, 500, 1);
        // All weights > 0: the rollups' custom components weighted, equal to the journeys computed on demand.
        String weights = "weights: {ft: 0.3, lc: 0.15, oc: 0.25, cw: 0.2, middle: 0.1}";
        for (Basis basis : Basis.values()) {
            for (Dimension dimension : Dimension.values()) {
                String what = "custom " + basis + " " + dimension;
                String args = ", basis: " + basis + ", groupBy: " + dimension
                        + ") { attributedOpportunities unattributedOpportunities rows { key credit amount opportunities } } }";
                JsonPath fromRollups = ok("{ attribution(" + MARCH + ", model: {name: CUSTOM, " + weights + "}" + args, "attribution");
                // Another lookback than the workspace's (no touch a year before its conversion): computed on demand.
                JsonPath onDemand = ok("{ attribution(" + MARCH + ", model: {name: CUSTOM, lookbackDays: 366, " + weights + "}" + args,
                        "attribution");
                assertEquals(onDemand.getInt("attributedOpportunities"), fromRollups.getInt("attributedOpportunities"), what);
                Map<String, double[]> expected = rows(onDemand);
                Map<String, double[]> actual = rows(fromRollups);
                assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(actual).keySet(), what);
                assertFalse(expected.isEmpty(), what);
                expected.forEach((key, e) -> assertRow(actual, key, e[0], e[1], (int) e[2]));
            }
        }
        // Hand-checked: opp-a's pipeline journey t1 (FT, paid_search), t2 (email), t3 (LC: the form fill, direct),
        // t4 (OC = CW, organic_search): FT 0.3, LC 0.15, OC + CW 0.45, the middle t2 0.1.
        Map<String, double[]> oppA = rows(ok("{ attribution(period: {from: \"2026-03-10\", to: \"2026-03-10\"}, model: {name: CUSTOM, "
                + weights + "}) { rows { key credit amount opportunities } } }", "attribution"));
        assertRow(oppA, "paid_search", 0.3, 300, 1);
        assertRow(oppA, "email", 0.1, 100, 1);
        assertRow(oppA, "direct", 0.15, 150, 1);
        assertRow(oppA, "organic_search", 0.45, 450, 1);
        String analyst = TestKeys.token(WS, "analyst");
        graphql(analyst, "{ attribution(" + MARCH + ", model: {name: CUSTOM}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.weights: is required for CUSTOM"));
        graphql(analyst, "{ attribution(" + MARCH + ", model: {name: CUSTOM, weights:"
                + " {ft: 0.5, lc: 0, oc: 0.6, cw: 0, middle: 0}}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.weights"))
                .body("errors[0].message", containsString("must sum to 1"));
        graphql(analyst, "{ attribution(" + MARCH + ", model: {name: LINEAR, weights:"
                + " {ft: 1, lc: 0, oc: 0, cw: 0, middle: 0}}) { attributedOpportunities } }")
                .body("errors[0].message", containsString("attribution.model.weights: applies only to CUSTOM, not LINEAR"));
    }

    @Test
    @Order(6)
    void anErasureRemovesThePersonsTouchesAndTheirCredit() {
        // b1's person: touches b1, b2, b3 go; opp-b-open (won) keeps t2, reached through u1 (moved to acct-b).
        // A restated touch of the person leaves a replaced version (explainChange's), which must go too.
        pool.query("update touch set content = 'restated' where workspace_id = 'rollups' and id = 'b2'").execute()
                .await().indefinitely();
        String[] values = pool.query("select array(select unnest(identifiers) from touch where workspace_id = 'rollups'"
                + " and id in ('b1', 'b2', 'b3') union select person_id from membership where workspace_id = 'rollups'"
                + " and identifier = 'anonymous_id:b1')").execute().await().indefinitely().iterator().next().getArrayOfStrings(0);
        // Any column of any replaced version holding one of them (identifiers' arrays, person ids, 'person:' accounts).
        String versionsOfThePerson = "select count(*) from replaced_row r where workspace_id = 'rollups' and exists (select 1"
                + " from jsonb_each_text(r.old) e, unnest($1::text[]) v where strpos(e.value, v) > 0)";
        assertTrue(pool.preparedQuery(versionsOfThePerson).execute(Tuple.of(values)).await().indefinitely().iterator().next()
                .getLong(0) > 0);
        page(incremental.erasures(erasures::applyErasures, erasures), List.of(new FeedItem(20, WS, "erasure", new JsonObject()
                .put("identifiers", new JsonArray().add(new JsonObject().put("type", "anonymous_id").put("value", "b1")))
                .put("requestedAt", "2026-04-02T00:00:00Z"))));
        assertEquals(0L, pool.query("select count(*) from touch where workspace_id = 'rollups' and id in ('b1', 'b2', 'b3')")
                .execute().await().indefinitely().iterator().next().getLong(0));
        assertEquals(0L, pool.preparedQuery(versionsOfThePerson).execute(Tuple.of(values)).await().indefinitely().iterator().next()
                        .getLong(0),
                "no version of any row keeps the erased person's identifiers or person id");
        Map<String, double[]> first = rows(ok("{ attribution(" + MARCH + ", basis: REVENUE,"
                + " model: {name: FIRST_TOUCH}) { rows { key credit amount opportunities } } }", "attribution"));
        assertRow(first, "paid_search", 1, 1000, 1);
        assertRow(first, "email", 1, 300, 1);
        // The other keys of the journeys are rows too, with no first-touch credit.
        assertEquals(2, first.values().stream().filter(row -> row[0] > 0).count());
        assertStandardReportsMatchOnDemand(Dimension.CHANNEL);
    }

    @Test
    @Order(20)
    void aPersonWithoutCompanyIsTheirOwnAccountAndContactRolesNarrowTheJourney() {
        // June, apart from the March data above. B2C: opp-b2c names no account, only contact c-z, and
        // arrives before identity has resolved c-z; it takes c-z's person's own account when it is.
        page(incremental.crm(apply::applyCrm), List.of(
                opportunity(30, "opp-b2c", null, "100.00", "2026-06-10T00:00:00Z", "WON", "2026-06-20T00:00:00Z", "c-z"),
                opportunity(31, "opp-roles", "acct-y", "200.00", "2026-06-12T00:00:00Z", "OPEN", null, "c-y1")));
        page(incremental.touches(apply::applyTouches), List.of(
                touch(30, "z-t1", "2026-06-01T10:00:00Z", "AD_CLICK", "display", "dv360", "z1"),
                touch(31, "z-t2", "2026-06-05T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "z1"),
                touch(32, "y1-t", "2026-06-02T10:00:00Z", "AD_CLICK", "paid_search", "google", "y1"),
                touch(33, "y2-t", "2026-06-03T10:00:00Z", "PAGE_VIEW", "organic_social", "linkedin", "y2")));
        page(incremental.memberships(apply::applyMemberships), List.of(
                membership(30, "anonymous_id", "z1", "p_z", null),
                membership(31, "contact_id", "c-z", "p_z", null),
                membership(32, "anonymous_id", "y1", "p_y1", "acct-y"),
                membership(33, "contact_id", "c-y1", "p_y1", "acct-y"),
                membership(34, "anonymous_id", "y2", "p_y2", "acct-y")));
        assertEquals("person:p_z", pool.query("select account_id from opportunity where workspace_id = 'rollups'"
                + " and id = 'opp-b2c'").execute().await().indefinitely().iterator().next().getString(0));
        String june = "period: {from: \"2026-06-01\", to: \"2026-06-30\"}";
        Map<String, double[]> account = rows(ok("{ attribution(" + june + ", model: {name: LINEAR}) { rows { key credit amount"
                + " opportunities } } }", "attribution"));
        assertRow(account, "display", 0.5, 50, 1);
        assertRow(account, "email", 0.5, 50, 1);
        assertRow(account, "paid_search", 0.5, 100, 1);
        assertRow(account, "organic_social", 0.5, 100, 1);
        assertEquals(4, account.size());
        // Only the contact roles' persons: opp-roles keeps y1's touch, opp-b2c its one person's touches.
        Map<String, double[]> roles = rows(ok("{ attribution(" + june + ", model: {name: LINEAR, journeyScope: CONTACT_ROLES})"
                + " { rows { key credit amount opportunities } } }", "attribution"));
        assertRow(roles, "display", 0.5, 50, 1);
        assertRow(roles, "email", 0.5, 50, 1);
        assertRow(roles, "paid_search", 1.0, 200, 1);
        assertEquals(3, roles.size());
        JsonPath journey = ok("{ opportunityJourney(opportunityId: \"opp-roles\", model: {name: LINEAR, journeyScope: CONTACT_ROLES})"
                + " { touches { touchId credit } } }", "opportunityJourney");
        assertEquals(List.of("y1-t"), journey.getList("touches.touchId"));
        assertStandardReportsMatchOnDemand("2026-06-01", "2026-06-30", Dimension.CHANNEL);

        // The person is later resolved to a company: the B2C opportunity follows its contact to that account.
        page(incremental.memberships(apply::applyMemberships), List.of(
                membership(35, "anonymous_id", "z1", "p_z", "acct-co"),
                membership(36, "contact_id", "c-z", "p_z", "acct-co")));
        assertEquals("acct-co", pool.query("select account_id from opportunity where workspace_id = 'rollups'"
                + " and id = 'opp-b2c'").execute().await().indefinitely().iterator().next().getString(0));
        assertStandardReportsMatchOnDemand("2026-06-01", "2026-06-30", Dimension.CHANNEL, Dimension.TOUCH_TYPE);
    }

    @Test
    @Order(30)
    void aFeedFarBehindSkipsTheDeltasAndCatchesUpWithOneFullRecompute() throws Exception {
        // Test profile: a page of 2 items is full, 3 full pages in a row are far behind.
        PageHandler touches = incremental.touches(apply::applyTouches);
        page(touches, List.of(touch(40, "cu-1", "2026-03-16T10:00:00Z", "AD_CLICK", "paid_social", "linkedin", "a1"),
                touch(41, "cu-2", "2026-03-16T11:00:00Z", "PAGE_VIEW", "organic_search", "google", "b1")));
        page(touches, List.of(touch(42, "cu-3", "2026-03-17T10:00:00Z", "EMAIL_CLICK", "email", "newsletter", "a1"),
                touch(43, "cu-4", "2026-03-04T10:00:00Z", "AD_CLICK", "display", "dv360", "a2")));
        assertTrue(ok("{ rollupRecompute { ready } }", "rollupRecompute").getBoolean("ready"));
        long deltaRows = deltaRows();
        page(touches, List.of(touch(44, "cu-5", "2026-03-09T10:00:00Z", "WEBINAR", "events", "zoom", "a1"),
                touch(45, "cu-6", "2026-03-05T10:00:00Z", "PAGE_VIEW", "video", "youtube", "b1")));
        // The third full page: rollups not ready (reports compute on demand), no delta written for it.
        assertFalse(ok("{ rollupRecompute { ready } }", "rollupRecompute").getBoolean("ready"));
        assertEquals(deltaRows, deltaRows());
        // Not ready and not being rebuilt: even a page that is not full (the feed caught up) writes no delta.
        page(incremental.touches(apply::applyTouches), List.of(
                touch(46, "cu-7", "2026-03-18T10:00:00Z", "AD_CLICK", "paid_search", "google", "a1")));
        assertEquals(deltaRows, deltaRows());
        JsonPath onDemand = ok("{ attribution(" + MARCH + ", model: {name: LINEAR}) { rows { key credit amount opportunities } } }",
                "attribution");
        assertTrue(rows(onDemand).containsKey("events"), onDemand.prettify());

        int before = generation();
        assertEquals(List.of(WS), recomputes.finishCatchUps());
        JsonPath progress = awaitRecompute();
        assertTrue(progress.getBoolean("ready"), progress.prettify());
        assertEquals(before + 1, progress.getInt("currentGeneration"));
        assertEquals(List.of(), recomputes.finishCatchUps(), "caught up: nothing left to recompute");
        assertEveryStandardReportMatchesOnDemand();
    }

    @Test
    @Order(40)
    void pagesOfOneWorkspaceAppliedSideBySideKeepTheRollupsExact() {
        // Four partitions of the feeds (as replicas apply them: one page at a time per partition, the partitions at once)
        // move identifiers and deals between six accounts while touches arrive: each page locks the accounts it changes,
        // so another page's change lands either wholly before or wholly after its before/after reads.
        Random random = new Random(2126);
        String[] accounts = {"acct-p0", "acct-p1", "acct-p2", "acct-p3", "acct-p4", "acct-p5"};
        List<List<Runnable>> partitions = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            partitions.add(new ArrayList<>());
        }
        PageHandler touches = incremental.touches(apply::applyTouches);
        PageHandler memberships = incremental.memberships(apply::applyMemberships);
        PageHandler crm = incremental.crm(apply::applyCrm);
        long seq = 1000;
        for (int i = 0; i < 12; i++) {
            page(memberships, List.of(membership(seq++, "anonymous_id", "px" + i, accounts[i % accounts.length])));
        }
        for (int i = 0; i < 6; i++) {
            page(crm, List.of(opportunity(seq++, "opp-p" + i, accounts[i], "100" + i, "2026-05-" + (10 + i) + "T00:00:00Z",
                    i % 2 == 0 ? "WON" : "OPEN", i % 2 == 0 ? "2026-05-2" + i + "T00:00:00Z" : null, null)));
        }
        // Pages of one item: not full (the test profile's page is 2 items), so no catch-up mode, the rollups kept page by page.
        for (int round = 0; round < 30; round++) {
            for (int p = 0; p < 4; p++) {
                PageHandler handler;
                List<FeedItem> page;
                // Each identifier's and each deal's items stay in one partition (its key's), in order.
                int identifier = p + 4 * random.nextInt(3);
                int deal = p + 4 * random.nextInt(2);
                if (round % 3 == 1) {
                    handler = memberships;
                    page = List.of(membership(seq++, "anonymous_id", "px" + identifier, accounts[random.nextInt(accounts.length)]));
                } else if (round % 3 == 2 && deal < 6) {
                    handler = crm;
                    page = List.of(opportunity(seq++, "opp-p" + deal, accounts[random.nextInt(accounts.length)], "20" + round,
                            "2026-05-" + (10 + deal) + "T00:00:00Z", "WON", "2026-05-2" + round % 10 + "T00:00:00Z", null));
                } else {
                    handler = touches;
                    page = List.of(touch(seq++, "pt-" + round + "-" + p, "2026-05-" + (1 + random.nextInt(20)) + "T10:00:00Z",
                            "PAGE_VIEW", List.of("paid_search", "email", "direct", "events").get(random.nextInt(4)), "s",
                            "px" + random.nextInt(12)));
                }
                partitions.get(p).add(() -> pageRetried(handler, page));
            }
        }
        // The partitions at once (a thread each), each its pages in order.
        ExecutorService threads = Executors.newFixedThreadPool(partitions.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (List<Runnable> pages : partitions) {
                running.add(threads.submit(() -> pages.forEach(Runnable::run)));
            }
            for (Future<?> partition : running) {
                partition.get();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            threads.shutdown();
        }
        assertTrue(ok("{ rollupRecompute { ready } }", "rollupRecompute").getBoolean("ready"), "reports from the rollups");
        assertStandardReportsMatchOnDemand("2026-05-01", "2026-05-31", Dimension.CHANNEL, Dimension.TOUCH_TYPE);
    }

    @Test
    @Order(41)
    void aPageWaitingOnAnAccountMovedMeanwhileLocksTheAccountItMovedTo() throws Exception {
        // The identifier pz is in acct-q1; a page moving it to acct-q2 (where a deal is) holds its locks, uncommitted,
        // while a page of a touch of pz comes: it waits (for pz's lock, or acct-q1's), and once the move commits it must
        // find acct-q2 and take it into its before/after reads, or acct-q2's rollups miss the touch.
        PageHandler memberships = incremental.memberships(apply::applyMemberships);
        page(memberships, List.of(membership(2001, "anonymous_id", "pz", "acct-q1")));
        page(incremental.crm(apply::applyCrm), List.of(opportunity(2002, "opp-q2", "acct-q2", "700", "2026-06-10T00:00:00Z",
                "OPEN", null, null)));
        Pause pause = new Pause();
        PageHandler pausing = (tx, items) -> memberships.apply(tx, items).chain(pause::here);
        assertTrue(interleave(pause, () -> page(pausing, List.of(membership(2003, "anonymous_id", "pz", "acct-q2"))),
                        () -> page(incremental.touches(apply::applyTouches),
                                List.of(touch(2004, "qt-1", "2026-06-05T10:00:00Z", "PAGE_VIEW", "webinar_x", "s", "pz")))),
                "the touch's page waited for the move's");
        assertStandardReportsMatchOnDemand("2026-06-01", "2026-06-30", Dimension.CHANNEL);
        JsonPath linear = ok("{ attribution(period: {from: \"2026-06-01\", to: \"2026-06-30\"}, model: {name: LINEAR})"
                + " { rows { key credit amount opportunities } } }", "attribution");
        assertRow(rows(linear), "webinar_x", 1.0, 700, 1);
    }

    @Test
    @Order(42)
    void aTouchOfAnIdentifierResolvedMeanwhileIsCountedOnce() throws Exception {
        // A touch of pn, which no membership resolves yet, has found no account to lock or read and is about to be applied
        // when a page resolving pn to acct-q3 comes. Were that page to commit in between, neither would count the touch in
        // acct-q3's rollups: it waits for the touch's page (both lock pn), or the touch's page, finding acct-q3 after its
        // apply, fails and is applied again (as a consumer fetches a failed page again).
        page(incremental.crm(apply::applyCrm), List.of(opportunity(3001, "opp-q3", "acct-q3", "900", "2026-07-10T00:00:00Z",
                "OPEN", null, null)));
        Pause pause = new Pause();
        PageHandler pausing = incremental.touches((tx, items) -> pause.here().chain(() -> apply.applyTouches(tx, items)));
        interleave(pause, () -> pageRetried(pausing,
                        List.of(touch(3002, "qn-1", "2026-07-05T10:00:00Z", "PAGE_VIEW", "podcast_x", "s", "pn"))),
                () -> page(incremental.memberships(apply::applyMemberships), List.of(membership(3003, "anonymous_id", "pn", "acct-q3"))));
        assertStandardReportsMatchOnDemand("2026-07-01", "2026-07-31", Dimension.CHANNEL);
        JsonPath linear = ok("{ attribution(period: {from: \"2026-07-01\", to: \"2026-07-31\"}, model: {name: LINEAR})"
                + " { rows { key credit amount opportunities } } }", "attribution");
        assertRow(rows(linear), "podcast_x", 1.0, 900, 1);
    }

    @Test
    @Order(43)
    void erasingAPersonRemovesATouchTheyShareWithAnotherAccountFromItsRollupsToo() {
        // A touch carrying identifiers of two persons of different accounts is in both accounts' journeys; erasing one
        // person deletes it, so the other account's rollups lose it as well.
        page(incremental.memberships(apply::applyMemberships), List.of(membership(4001, "anonymous_id", "e1", "p_e", "acct-r1"),
                membership(4002, "anonymous_id", "f1", "p_f", "acct-r2")));
        page(incremental.crm(apply::applyCrm), List.of(opportunity(4003, "opp-r2", "acct-r2", "400", "2026-08-10T00:00:00Z",
                "OPEN", null, null)));
        page(incremental.touches(apply::applyTouches), List.of(
                touch(4004, "ef-1", "2026-08-03T10:00:00Z", "PAGE_VIEW", "shared_x", "s", "e1", "f1"),
                touch(4005, "f-1", "2026-08-05T10:00:00Z", "PAGE_VIEW", "own_y", "s", "f1")));
        assertRow(rows(ok("{ attribution(period: {from: \"2026-08-01\", to: \"2026-08-31\"}, model: {name: LINEAR})"
                + " { rows { key credit amount opportunities } } }", "attribution")), "shared_x", 0.5, 200, 1);
        page(incremental.erasures(erasures::applyErasures, erasures), List.of(new FeedItem(4006, WS, "erasure", new JsonObject()
                .put("identifiers", new JsonArray().add(new JsonObject().put("type", "anonymous_id").put("value", "e1")))
                .put("requestedAt", "2026-09-01T00:00:00Z"))));
        assertStandardReportsMatchOnDemand("2026-08-01", "2026-08-31", Dimension.CHANNEL);
        Map<String, double[]> linear = rows(ok("{ attribution(period: {from: \"2026-08-01\", to: \"2026-08-31\"},"
                + " model: {name: LINEAR}) { rows { key credit amount opportunities } } }", "attribution"));
        assertRow(linear, "own_y", 1, 400, 1);
        assertEquals(0, linear.getOrDefault("shared_x", new double[1])[0], 1e-9);
    }

    @Test
    @Order(44)
    void aContactsMembershipRemovedTakesItsDerivedDealOutOfTheAccount() {
        // A deal with no CRM account takes its first contact's (V11); when identity removes that contact's membership the
        // deal has no account any more: the page applies (it reaches the deal as account-less, which it locked) and the
        // account's rollups lose the deal.
        PageHandler memberships = incremental.memberships(apply::applyMemberships);
        page(memberships, List.of(membership(5001, "contact_id", "c-s", "p_s", "acct-s"),
                membership(5002, "anonymous_id", "s1", "p_s", "acct-s")));
        page(incremental.touches(apply::applyTouches), List.of(
                touch(5003, "s-1", "2026-10-03T10:00:00Z", "PAGE_VIEW", "derived_z", "s", "s1")));
        page(incremental.crm(apply::applyCrm), List.of(opportunity(5004, "opp-s", null, "600", "2026-10-10T00:00:00Z",
                "OPEN", null, "c-s")));
        String october = "period: {from: \"2026-10-01\", to: \"2026-10-31\"}";
        assertRow(rows(ok("{ attribution(" + october + ", model: {name: LINEAR}) { rows { key credit amount opportunities } } }",
                "attribution")), "derived_z", 1, 600, 1);
        page(memberships, List.of(new FeedItem(5005, WS, "removed", new JsonObject()
                .put("identifier", new JsonObject().put("type", "contact_id").put("value", "c-s")))));
        assertNull(pool.query("select account_id from opportunity where workspace_id = 'rollups' and id = 'opp-s'").execute()
                .await().indefinitely().iterator().next().getString(0));
        assertStandardReportsMatchOnDemand("2026-10-01", "2026-10-31", Dimension.CHANNEL);
    }

    /** Where a page stops, its transaction open, until released. */
    private static final class Pause {
        final CompletableFuture<Void> release = new CompletableFuture<>();
        final CountDownLatch reached = new CountDownLatch(1);

        Uni<Void> here() {
            reached.countDown();
            return Uni.createFrom().completionStage(release);
        }
    }

    /**
     * Runs {@code paused} until it reaches {@code pause}, then {@code meanwhile} on another thread; half a second later lets
     * the first go on and waits for both. Emits whether {@code meanwhile} was still waiting when the first went on.
     */
    private static boolean interleave(Pause pause, Runnable paused, Runnable meanwhile) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = threads.submit(paused);
            assertTrue(pause.reached.await(10, TimeUnit.SECONDS), "the first page reached its pause");
            Future<?> second = threads.submit(meanwhile);
            Thread.sleep(500);
            boolean waited = !second.isDone();
            pause.release.complete(null);
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            return waited;
        } finally {
            threads.shutdown();
        }
    }

    /**
     * A page in its transaction, again when PostgreSQL broke a deadlock by failing it or when it reached an account it had
     * not locked (as a consumer fetches a failed page again).
     */
    private void pageRetried(PageHandler handler, List<FeedItem> items) {
        for (int attempt = 1; ; attempt++) {
            try {
                page(handler, items);
                return;
            } catch (RuntimeException e) {
                if (attempt == 5 || e.getMessage() == null
                        || !(e.getMessage().contains("deadlock") || e.getMessage().contains("applied again"))) {
                    throw e;
                }
            }
        }
    }

    /** Polls the recompute's progress until it is DONE and the rollups ready (at most 10 s); the last answer. */
    private static JsonPath awaitRecompute() throws InterruptedException {
        JsonPath progress = null;
        for (int i = 0; i < 100; i++) {
            progress = ok("{ rollupRecompute { generation state currentGeneration ready accountsDone accountsTotal"
                    + " partitionProgress { partition state accountsDone accountsTotal } } }", "rollupRecompute");
            if ("DONE".equals(progress.getString("state")) && progress.getBoolean("ready")) {
                break;
            }
            Thread.sleep(100);
        }
        return progress;
    }

    private long deltaRows() {
        return pool.query("select count(*) from credit_rollup where workspace_id = 'rollups' and part = -1").execute().await()
                .indefinitely().iterator().next().getLong(0);
    }

    private void assertEveryStandardReportMatchesOnDemand() {
        assertStandardReportsMatchOnDemand(Dimension.values());
    }

    private void assertStandardReportsMatchOnDemand(Dimension... dimensions) {
        assertStandardReportsMatchOnDemand("2026-03-01", "2026-03-31", dimensions);
    }

    /** From and to: dates, both inclusive. */
    private void assertStandardReportsMatchOnDemand(String from, String to, Dimension... dimensions) {
        for (ModelName model : CreditRollup.MODELS) {
            for (Basis basis : Basis.values()) {
                for (Dimension dimension : dimensions) {
                    String name = model.name();
                    String period = "period: {from: \"" + from + "\", to: \"" + to + "\"}";
                    JsonPath fromRollups = ok("{ attribution(" + period + ", model: {name: " + name
                            + "}, basis: " + basis + ", groupBy: " + dimension + ") { attributedOpportunities"
                            + " unattributedOpportunities rows { key credit amount opportunities } } }", "attribution");
                    // The same period with another lookback than the workspace's 365 days (no touch a year or more before
                    // its conversion) is not what the rollups hold: computed on demand.
                    JsonPath onDemand = ok("{ attribution(" + period + ", model: {name: " + name + ", lookbackDays: 366}, basis: "
                            + basis + ", groupBy: " + dimension + ") { attributedOpportunities"
                            + " unattributedOpportunities rows { key credit amount opportunities } } }", "attribution");
                    String what = name + " " + basis + " " + dimension;
                    assertEquals(onDemand.getInt("attributedOpportunities"), fromRollups.getInt("attributedOpportunities"), what);
                    assertEquals(onDemand.getInt("unattributedOpportunities"), fromRollups.getInt("unattributedOpportunities"), what);
                    Map<String, double[]> rows = rows(fromRollups);
                    // Every key of the period's journeys, also one the model gives no credit.
                    Map<String, double[]> expected = new TreeMap<>(rows(onDemand));
                    assertEquals(expected.keySet(), new TreeMap<>(rows).keySet(), what);
                    expected.forEach((key, e) -> assertRow(rows, key, e[0], e[1], (int) e[2]));
                }
            }
        }
    }

    private int generation() {
        return pool.query("select generation from rollup_state where workspace_id = 'rollups'").execute().await()
                .indefinitely().iterator().next().getInteger(0);
    }

    private void page(PageHandler handler, List<FeedItem> items) {
        pool.withTransaction(tx -> handler.apply(tx, items)).await().indefinitely();
    }

    private static JsonPath ok(String query, String field) {
        String body = graphql(TestKeys.token(WS, "admin"), query).statusCode(200).extract().asString();
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        return json.setRootPath("data." + field);
    }

    private static Map<String, double[]> rows(JsonPath report) {
        Map<String, double[]> rows = new java.util.HashMap<>();
        int n = report.getList("rows").size();
        for (int i = 0; i < n; i++) {
            rows.put(report.getString("rows[" + i + "].key"), new double[] {report.getDouble("rows[" + i + "].credit"),
                    report.getDouble("rows[" + i + "].amount"), report.getInt("rows[" + i + "].opportunities")});
        }
        return rows;
    }

    private static void assertRow(Map<String, double[]> rows, String key, double credit, double amount, int opportunities) {
        double[] row = rows.get(key);
        assertTrue(row != null, key + " missing in " + rows.keySet());
        assertEquals(credit, row[0], 1e-9, key + " credit");
        assertEquals(amount, row[1], 1e-6, key + " amount");
        assertEquals(opportunities, (int) row[2], key + " opportunities");
    }

    private static FeedItem touch(long seq, String id, String at, String type, String channel, String source, String... ids) {
        JsonArray identifiers = new JsonArray();
        for (String value : ids) {
            identifiers.add(new JsonObject().put("type", value.startsWith("u") ? "user_id" : "anonymous_id").put("value", value));
        }
        return new FeedItem(seq, WS, "touch", new JsonObject().put("id", id).put("occurredAt", at).put("type", type)
                .put("identifiers", identifiers).put("channel", channel).put("source", source).put("medium", null)
                .put("campaign", null).put("content", null));
    }

    private static FeedItem membership(long seq, String type, String value, String account) {
        return new FeedItem(seq, WS, "membership", new JsonObject()
                .put("identifier", new JsonObject().put("type", type).put("value", value))
                .put("personId", "p_" + value).put("accountId", account));
    }

    private static FeedItem membership(long seq, String type, String value, String person, String account) {
        return new FeedItem(seq, WS, "membership", new JsonObject()
                .put("identifier", new JsonObject().put("type", type).put("value", value))
                .put("personId", person).put("accountId", account));
    }

    private static FeedItem contact(long seq, String id, String account, String leadCreatedAt) {
        return new FeedItem(seq, WS, "contact", new JsonObject().put("id", id).put("accountId", account)
                .put("email", id + "@example.com").put("createdAt", leadCreatedAt).put("leadCreatedAt", leadCreatedAt));
    }

    private static FeedItem opportunity(long seq, String id, String account, String amount, String created, String status,
                                        String closed, String contactId) {
        JsonArray roles = new JsonArray();
        if (contactId != null) {
            roles.add(new JsonObject().put("contactId", contactId).put("role", "Decision Maker"));
        }
        return new FeedItem(seq, WS, "opportunity", new JsonObject().put("id", id).put("accountId", account)
                .put("amount", amount).put("currency", "USD").put("createdAt", created).put("stage", status)
                .put("status", status).put("closedAt", closed).put("contactRoles", roles).put("stageHistory", new JsonArray()));
    }
}
