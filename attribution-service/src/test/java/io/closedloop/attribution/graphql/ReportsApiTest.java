package io.closedloop.attribution.graphql;

import io.closedloop.attribution.feeditem.CrmItem;
import io.closedloop.attribution.feeditem.MembershipItem;
import io.closedloop.attribution.feeditem.TouchItem;
import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.repository.VersionRepository;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.attribution.service.ReportFeedApply;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import java.util.Map;
import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reports of docs/reports.md on a hand-checked dataset applied through the feed-apply path
 * FeedConsumers uses (FeedApplyService then ReportFeedApply, in one transaction per page, twice).
 * Same app profile and test resource as AttributionApiTest, so no second app start.
 *
 * acct-x (anonymous x1 = person p_x1; contacts cx = p_x1, cy = p_cy): x-t1 03-01 AD_CLICK paid_search
 * google/cpc/brand, x-t2 03-05 EMAIL_CLICK email newsletter/email/spring, x-t3 03-15 WEBINAR events.
 * opp-x1 1000 created 03-10 won 03-20, roles cx and cy, stages Discovery 03-10, Closed Won 03-20.
 * acct-y (y1): y-t1 03-02 SALES_OUTREACH offline, y-t2 03-06 AD_CLICK paid_search; opp-y1 500 created
 * 03-08 won 03-25, no roles. acct-z: opp-z1 200 created 03-12 open, no touches. w1 (person, no
 * account): w-t1 03-15 PAGE_VIEW other, campaign mystery, utm invalid. n1 (no membership): n-t1 03-16.
 * Spend: paid_search 300 (03-01), email 100 (03-02), paid_search 999 (02-28, outside March).
 * Revenue: acct-x 600 (03-25) and 400 (05-10), acct-y 500 (03-30), acct-w 50 (03-20), acct-q 100 (03-21).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class ReportsApiTest {

    private static final String WS = "reports";
    private static final String MARCH = "period: {from: \"2026-03-01\", to: \"2026-03-31\"}";
    private static final String LINEAR = "model: {name: LINEAR}";
    private static final String ROW = "key credit amount opportunities spend pipelineOpportunities pipeline wonDeals revenue"
            + " newCustomers roi roas cac costPerOpportunity averageDealSize conversionRate medianDaysToConversion";
    private static boolean loaded;

    @Inject
    FeedApplyService apply;

    @Inject
    ReportFeedApply reportFeeds;

    @Inject
    Pool pool;

    @Inject
    VersionRepository versions;

    @Inject
    io.closedloop.attribution.service.Snapshots snapshots;

    @BeforeEach
    void loadFeedsOnce() {
        if (loaded) {
            return;
        }
        List<FeedItem> touches = List.of(
                touch(1, "x-t1", "2026-03-01T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true, "x1"),
                touch(2, "x-t2", "2026-03-05T00:00:00Z", "EMAIL_CLICK", "email", "newsletter", "email", "spring", true, "x1"),
                touch(3, "x-t3", "2026-03-15T00:00:00Z", "WEBINAR", "events", null, null, "summit", true, "x1"),
                touch(4, "y-t1", "2026-03-02T00:00:00Z", "SALES_OUTREACH", "offline", null, null, null, null, "y1"),
                touch(5, "y-t2", "2026-03-06T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true, "y1"),
                touch(6, "w-t1", "2026-03-15T00:00:00Z", "PAGE_VIEW", "other", "weird", null, "mystery", false, "w1"),
                touch(7, "n-t1", "2026-03-16T00:00:00Z", "PAGE_VIEW", "organic_search", "google", null, null, true, "n1"));
        List<FeedItem> memberships = List.of(
                membership(1, "anonymous_id", "x1", "p_x1", "acct-x"),
                membership(2, "contact_id", "cx", "p_x1", "acct-x"),
                membership(3, "contact_id", "cy", "p_cy", "acct-x"),
                membership(4, "anonymous_id", "y1", "p_y1", "acct-y"),
                membership(5, "anonymous_id", "w1", "p_w1", null));
        List<FeedItem> crm = List.of(
                contact(1, "cx", "acct-x"),
                contact(2, "cy", "acct-x"),
                opportunity(3, "opp-x1", "acct-x", "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                        new JsonArray().add(role("cx", "Decision Maker")).add(role("cy", "Champion")),
                        new JsonArray().add(stage("Discovery", "2026-03-10T00:00:00Z")).add(stage("Closed Won", "2026-03-20T00:00:00Z"))),
                opportunity(4, "opp-y1", "acct-y", "500.00", "2026-03-08T00:00:00Z", "WON", "2026-03-25T00:00:00Z",
                        new JsonArray(), new JsonArray()),
                opportunity(5, "opp-z1", "acct-z", "200.00", "2026-03-12T00:00:00Z", "OPEN", null, new JsonArray(), new JsonArray()));
        List<FeedItem> spend = List.of(
                spend(1, "2026-03-01", "paid_search", "google", "cpc", "brand", "300.00"),
                spend(2, "2026-03-02", "email", "newsletter", "email", "spring", "100.00"),
                spend(3, "2026-02-28", "paid_search", "google", "cpc", "brand", "999.00"),
                // unusable (bad date): skipped
                spend(4, "yesterday", "email", null, null, null, "5.00"));
        List<FeedItem> revenue = List.of(
                revenue(1, "inv-1", "acct-x", "600.00", "2026-03-25T00:00:00Z"),
                revenue(2, "inv-2", "acct-x", "400.00", "2026-05-10T00:00:00Z"),
                revenue(3, "inv-3", "acct-y", "500.00", "2026-03-30T00:00:00Z"),
                revenue(4, "inv-4", "acct-w", "50.00", "2026-03-20T00:00:00Z"),
                revenue(5, "inv-5", "acct-q", "100.00", "2026-03-21T00:00:00Z"));
        for (int round = 0; round < 2; round++) {
            pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                    .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                    .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))
                    .chain(() -> reportFeeds.applySpend(tx, spend))
                    .chain(() -> reportFeeds.applyRevenue(tx, revenue))).await().indefinitely();
        }
        loaded = true;
    }

    @Test
    void performanceRowsAndTotalsMatchTheHandComputedFigures() {
        JsonPath r = ok("{ performance(" + MARCH + ", " + LINEAR + ") { model basis groupBy currency rows { edges { node { " + ROW
                + " } } totalCount } totals { " + ROW + " } } }", "performance");
        assertEquals("LINEAR", r.getString("model"));
        assertEquals("PIPELINE", r.getString("basis"));
        assertEquals("CHANNEL", r.getString("groupBy"));
        assertEquals("USD", r.getString("currency"));
        // Linear, pipeline basis: x (paid_search, email) 1000 and y (offline, paid_search) 500, half each.
        // Revenue journeys: x (paid_search, email, events) thirds of 1000, y halves of 500. Both first won deals.
        assertRow(r, "paid_search", 1.0, 750, 2, 300, 1.0, 750, 5 / 6.0, 1000 / 3.0 + 250, 5 / 6.0,
                (1000 / 3.0 + 250 - 300) / 300, (1000 / 3.0 + 250) / 300, 360.0, 300.0, 700.0, 5 / 6.0, 21.0);
        assertRow(r, "email", 0.5, 500, 1, 100, 0.5, 500, 1 / 3.0, 1000 / 3.0, 1 / 3.0,
                (1000 / 3.0 - 100) / 100, (1000 / 3.0) / 100, 300.0, 200.0, 1000.0, 2 / 3.0, 19.0);
        // Without spend a group shows no cost (CAC, cost per opportunity null), as it shows no ROI.
        assertRow(r, "events", 0, 0, 0, 0, 0, 0, 1 / 3.0, 1000 / 3.0, 1 / 3.0,
                null, null, null, null, 1000.0, null, 19.0);
        assertRow(r, "offline", 0.5, 250, 1, 0, 0.5, 250, 0.5, 250, 0.5, null, null, null, null, 500.0, 1.0, 23.0);
        assertEquals(4, r.getList("rows.edges").size());
        assertEquals(4, r.getInt("rows.totalCount"));
        assertEquals("paid_search", r.getString("rows.edges[0].node.key"));
        JsonPath t = r.setRootPath("data.performance.totals");
        assertNull(t.get("key"));
        assertFigures(t, 2, 1500, 2, 400, 2, 1500, 2, 1500, 2, 1100 / 400.0, 1500 / 400.0, 200.0, 200.0, 750.0, 1.0, 21.0);

        // A page: the largest rows, every group counted, the totals unchanged.
        JsonPath top = ok("{ performance(" + MARCH + ", " + LINEAR + ", first: 1) { rows { edges { node { key } }"
                + " totalCount } totals { amount } } }", "performance");
        assertEquals(List.of("paid_search"), top.getList("rows.edges.node.key"));
        assertEquals(4, top.getInt("rows.totalCount"));
        assertEquals("1500.00", top.getString("totals.amount"));
        graphql(TestKeys.token(WS, "analyst"), "{ performance(" + MARCH + ", " + LINEAR + ", first: 0) { basis } }")
                .body("errors[0].message", containsString("performance.first: must be between 1 and 1000, was 0"));
        graphql(TestKeys.token(WS, "analyst"), "{ performance(" + MARCH + ", " + LINEAR + ", first: 1001) { basis } }")
                .body("errors[0].message", containsString("performance.first: must be between 1 and 1000, was 1001"));
    }

    @Test
    void intervalsResampleThePeriodsDealsAndSayWhatTheyCannotDo() {
        String bounds = "{ lower upper }";
        String query = "{ performance(" + MARCH + ", " + LINEAR + ", interval: {level: 0.9, resamples: 1000}) { rows { edges"
                + " { node { key interval { level resamples credit " + bounds + " amount " + bounds + " pipeline " + bounds
                + " revenue " + bounds + " roi " + bounds + " cac " + bounds + " } } } } totals { interval { credit " + bounds
                + " amount " + bounds + " } } } }";
        JsonPath r = ok(query, "performance");
        // Two deals of the period, x (paid_search, email) and y (offline, paid_search), half each on the pipeline basis: a
        // resample draws x twice, y twice (a quarter of the time each) or both, so paid_search always has credit 1, email
        // and offline 0, 0.5 or 1, and the pipeline of paid_search (x gives 500, y 250) 500 to 1000.
        assertBounds(r, "paid_search", "credit", 1, 1);
        assertBounds(r, "paid_search", "amount", 500, 1000);
        assertBounds(r, "paid_search", "pipeline", 500, 1000);
        assertBounds(r, "email", "credit", 0, 1);
        assertBounds(r, "offline", "credit", 0, 1);
        // events is only in x's revenue journey (a third of 1000): drawn 0, 1 or 2 times.
        assertBounds(r, "events", "credit", 0, 0);
        assertBounds(r, "events", "revenue", 0, 2000 / 3.0);
        // paid_search's ROI with its 300 of spend: its revenue 250 (y twice: 500) to 1000/3 (x twice: 2000/3).
        assertBounds(r, "paid_search", "roi", (500 - 300) / 300.0, (2000 / 3.0 - 300) / 300.0);
        assertNull(r.get(row(r, "events") + ".interval.roi"), "no spend, no ROI");
        assertEquals(0.9, r.getDouble(row(r, "email") + ".interval.level"), 0);
        assertEquals(1000, r.getInt(row(r, "email") + ".interval.resamples"));
        assertEquals(2.0, r.getDouble("totals.interval.credit.lower"), 1e-9);
        assertEquals(2.0, r.getDouble("totals.interval.credit.upper"), 1e-9);
        assertEquals(1000.0, r.getDouble("totals.interval.amount.lower"), 1e-9);
        assertEquals(2000.0, r.getDouble("totals.interval.amount.upper"), 1e-9);
        // The same question, the same bounds; not asked, none.
        assertEquals(r.prettify(), ok(query, "performance").prettify());
        assertNull(ok("{ performance(" + MARCH + ", " + LINEAR + ") { totals { interval { level } } } }", "performance")
                .get("totals.interval"));

        // Side by side, each model resampled with the same draws: LINEAR's bounds are the performance report's; under
        // FIRST_TOUCH paid_search has x's whole credit (0, 1 or 2 of x drawn).
        JsonPath c = ok("{ modelComparison(" + MARCH + ", models: [{name: LINEAR}, {name: FIRST_TOUCH}], interval: {}) { rows"
                + " { edges { node { key intervals { credit " + bounds + " } } } } } }", "modelComparison");
        int paid = c.getList("rows.edges.node.key").indexOf("paid_search");
        String at = "rows.edges[" + paid + "].node.intervals";
        assertEquals(2, c.getList(at).size());
        assertEquals(1.0, c.getDouble(at + "[0].credit.lower"), 1e-9);
        assertEquals(1.0, c.getDouble(at + "[0].credit.upper"), 1e-9);
        assertEquals(0.0, c.getDouble(at + "[1].credit.lower"), 1e-9);
        assertEquals(2.0, c.getDouble(at + "[1].credit.upper"), 1e-9);
        assertNull(ok("{ modelComparison(" + MARCH + ", models: [{name: LINEAR}]) { rows { edges { node { intervals { level } } } } } }",
                "modelComparison").get("rows.edges[0].node.intervals"));

        String analyst = TestKeys.token(WS, "analyst");
        // MARKOV and SHAPLEY: each resample refits the model over the resampled accounts' journeys (RefitIntervalsTest
        // checks a resample against the plain model); deterministic, ordered bounds, with the other models side by side.
        String markov = "{ performance(" + MARCH + ", model: {name: MARKOV}, interval: {resamples: 200}) { rows { edges { node"
                + " { key credit interval { credit " + bounds + " } } } } totals { credit interval { credit " + bounds + " amount "
                + bounds + " } } } }";
        JsonPath m = ok(markov, "performance");
        assertEquals(m.prettify(), ok(markov, "performance").prettify());
        assertTrue(m.getList("rows.edges").size() >= 3);
        for (int i = 0; i < m.getList("rows.edges").size(); i++) {
            String node = "rows.edges[" + i + "].node.interval.credit";
            assertTrue(m.getDouble(node + ".lower") <= m.getDouble(node + ".upper"), node);
        }
        assertTrue(m.getDouble("totals.interval.amount.lower") <= m.getDouble("totals.interval.amount.upper"));
        JsonPath shapley = ok("{ modelComparison(" + MARCH + ", models: [{name: LINEAR}, {name: SHAPLEY}], interval: {resamples:"
                + " 200}) { rows { edges { node { key intervals { credit " + bounds + " } } } } } }", "modelComparison");
        assertEquals(2, shapley.getList("rows.edges[0].node.intervals").size());
        graphql(analyst, "{ performance(" + MARCH + ", model: {name: MARKOV}, interval: {resamples: 5000}) { basis } }")
                .body("errors[0].message", containsString("performance.interval.resamples: must be at most 2000 under MARKOV"));
        graphql(analyst, "{ performance(" + MARCH + ", " + LINEAR + ", interval: {resamples: 50}) { basis } }")
                .body("errors[0].message", containsString("performance.interval.resamples: must be between 100 and 10000, was 50"));
        graphql(analyst, "{ performance(" + MARCH + ", " + LINEAR + ", interval: {level: 1}) { basis } }")
                .body("errors[0].message", containsString("performance.interval.level: must be strictly between 0 and 1"));
        graphql(analyst, "{ performance(" + MARCH + ", " + LINEAR + ", first: 1000, interval: {resamples: 1000}) { basis } }")
                .body("errors[0].message", containsString("performance.interval.resamples: 1000 resamples of 1000 rows"));
    }

    /**
     * MARKOV and SHAPLEY intervals over CONTACT_ROLES journeys refit over the period's rows read on demand (the touches in
     * memory are kept by account). Here every account has one person, the contact role of its deal, so both scopes have
     * the same journeys and population: the bounds must be equal to the ACCOUNT journeys' (from memory), digit for digit.
     */
    @Test
    void dataDrivenIntervalsOverContactRoleJourneysRefitOverTheRowsReadOnDemand() {
        String ws = "roles-intervals";
        List<FeedItem> touches = new ArrayList<>();
        List<FeedItem> memberships = new ArrayList<>();
        String[] channels = {"paid_search", "email", "events", "social", "offline"};
        for (int a = 1; a <= 6; a++) {
            memberships.add(membership(ws, 2 * a - 1, "anonymous_id", "v" + a, "p" + a, "acct-" + a));
            memberships.add(membership(ws, 2 * a, "contact_id", "c" + a, "p" + a, "acct-" + a));
            for (int t = 0; t < 1 + a % 3; t++) {
                touches.add(touch(ws, touches.size() + 1, "ri-" + a + "-" + t, "2026-03-0" + (1 + t + a % 2) + "T00:00:00Z",
                        "PAGE_VIEW", channels[(a + 2 * t) % channels.length], null, null, null, null, "v" + a));
            }
        }
        // Deals by account number; account 1 has two (drawn together: one unit), accounts 5 and 6 none.
        String[][] deals = {{"1", "WON", "2026-03-20T00:00:00Z"}, {"2", "LOST", "2026-03-25T00:00:00Z"}, {"3", "OPEN", null},
                {"4", "WON", "2026-03-22T00:00:00Z"}, {"1", "WON", "2026-03-24T00:00:00Z"}};
        List<FeedItem> crm = new ArrayList<>();
        for (String[] d : deals) {
            JsonArray roles = new JsonArray().add(new JsonObject().put("contactId", "c" + d[0]).put("role", "Decision Maker"));
            crm.add(opportunity(ws, crm.size() + 1, "opp-ri-" + (crm.size() + 1), "acct-" + d[0], "1000.00",
                    "2026-03-1" + (crm.size() + 1) + "T00:00:00Z", d[1], d[2], roles, new JsonArray()));
        }
        applyAll(touches, memberships, crm);
        for (String model : List.of("MARKOV", "SHAPLEY")) {
            for (String basis : List.of("PIPELINE", "REVENUE")) {
                String query = "{ performance(" + MARCH + ", model: {name: " + model + ", journeyScope: %s}, basis: " + basis
                        + ", interval: {resamples: 200}) { rows { edges { node { key credit interval { credit { lower upper }"
                        + " amount { lower upper } } } } } totals { credit interval { credit { lower upper } } } } }";
                JsonPath roles = ok(ws, query.formatted("CONTACT_ROLES"), "performance");
                JsonPath account = ok(ws, query.formatted("ACCOUNT"), "performance");
                assertFalse(roles.getList("rows.edges").isEmpty(), model + " " + basis);
                assertNotNull(roles.get("rows.edges[0].node.interval.credit.lower"), model + " " + basis);
                assertEquals(account.prettify(), roles.prettify(), model + " " + basis);
            }
        }
    }

    private static String row(JsonPath r, String key) {
        return "rows.edges[" + r.getList("rows.edges.node.key").indexOf(key) + "].node";
    }

    private static void assertBounds(JsonPath r, String key, String figure, double lower, double upper) {
        String at = row(r, key) + ".interval." + figure;
        assertEquals(lower, r.getDouble(at + ".lower"), 1e-9, at + ".lower");
        assertEquals(upper, r.getDouble(at + ".upper"), 1e-9, at + ".upper");
    }

    @Test
    void aSnapshotReadsBackUnchangedAfterLateTouchesAMergeARestatedDealAndASettingChange() {
        String ws = "snap";
        String admin = TestKeys.token(ws, "admin");
        applyAll(List.of(touch(ws, 1, "s-t1", "2026-03-01T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true, "s1"),
                        touch(ws, 2, "s-t2", "2026-03-05T00:00:00Z", "EMAIL_CLICK", "email", "newsletter", "email", "spring", true, "s1")),
                List.of(membership(ws, 1, "anonymous_id", "s1", "p_s1", "acct-s")),
                List.of(opportunity(ws, 1, "opp-s", "acct-s", "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                        new JsonArray(), new JsonArray())));
        String report = "performance(" + MARCH + ", model: {name: LINEAR}, basis: REVENUE) { rows { edges { node { key credit"
                + " amount revenue } } } totals { credit amount revenue } }";
        JsonPath before = ok(ws, "{ " + report + " }", "performance");
        JsonPath taken = ok(ws, "mutation { createSnapshot(name: \"March board deck\", " + MARCH + ", models: [{name: LINEAR},"
                + " {name: FIRST_TOUCH}], bases: [REVENUE]) { id name from to settings { lookbackDays } dataVersion reports"
                + " { model name basis groupBy rows } } }", "createSnapshot");
        String id = taken.getString("id");
        String dataDriven = ok(ws, "mutation { createSnapshot(name: \"Data-driven\", " + MARCH + ", models: [{name: MARKOV},"
                + " {name: SHAPLEY}], bases: [REVENUE]) { id } }", "createSnapshot").getString("id");
        // A data version after the snapshot, before the changes (the service logs one a minute).
        versions.logMoment().await().indefinitely();
        // The database's clock, which logged it (a time a little ahead of the JVM's would pick an older version).
        String beforeChanges = pool.query("select now()").execute().await().indefinitely().iterator().next()
                .getOffsetDateTime(0).toInstant().toString();
        assertEquals("March board deck", taken.getString("name"));
        assertEquals("2026-03-01", taken.getString("from"));
        assertEquals(List.of("LINEAR", "FIRST_TOUCH"), taken.getList("reports.name"));
        assertEquals(365.0, taken.getDouble("settings.lookbackDays"), 0);

        // Then: a late touch, an identity merge bringing another visitor's touch, the deal restated, the lookback shortened.
        applyAll(List.of(touch(ws, 3, "s-t3", "2026-03-08T00:00:00Z", "WEBINAR", "events", null, null, "summit", true, "s1"),
                        touch(ws, 4, "s-t4", "2026-03-09T00:00:00Z", "SALES_OUTREACH", "offline", null, null, null, null, "s2")),
                List.of(membership(ws, 2, "anonymous_id", "s2", "p_s1", "acct-s")),
                List.of(opportunity(ws, 2, "opp-s", "acct-s", "1500.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                        new JsonArray(), new JsonArray())));
        graphql(admin, "mutation { updateAttributionSettings(lookbackDays: 7) { lookbackDays } }").statusCode(200);
        JsonPath now = ok(ws, "{ " + report + " }", "performance");
        assertEquals(1500.0, now.getDouble("totals.revenue"), 1e-9);

        // The snapshot reads back as it was taken...
        JsonPath stored = ok(ws, "{ snapshotReport(id: \"" + id + "\", model: 0, basis: REVENUE) { rows { edges { node { key credit"
                + " amount revenue } } } totals { credit amount revenue } } }", "snapshotReport");
        assertEquals(before.getList("rows.edges.node"), stored.getList("rows.edges.node"));
        assertEquals(before.getMap("totals"), stored.getMap("totals"));
        // ... and beside the same question now: each group then and now, the totals' change the restatement's 500.
        JsonPath change = ok(ws, "{ snapshotChange(id: \"" + id + "\", basis: REVENUE) { rows { edges { node { key creditThen"
                + " creditNow amountThen amountNow amountChange } } } totals { amountThen amountNow amountChange } } }",
                "snapshotChange");
        assertEquals("1000.00", change.getString("totals.amountThen"));
        assertEquals("1500.00", change.getString("totals.amountNow"));
        assertEquals("500.00", change.getString("totals.amountChange"));
        for (Object key : now.getList("rows.edges.node.key")) {
            int i = change.getList("rows.edges.node.key").indexOf(key);
            assertTrue(i >= 0, key + " in the change");
            assertEquals(value(now, (String) key, "amount"), Double.parseDouble(change.getString("rows.edges[" + i + "].node.amountNow")),
                    1e-9);
        }
        // paid_search (March 1) is outside the 7-day lookback now: all of its 500 then is gone.
        int paid = change.getList("rows.edges.node.key").indexOf("paid_search");
        assertEquals("-500.00", change.getString("rows.edges[" + paid + "].node.amountChange"));

        // Why: the total's 500 is the restatement alone; paid_search's -500 splits between the four causes (Shapley values
        // over them, worked out in the comment of ChangeCausesTest), and every explanation sums to its change exactly.
        String causes = " amountThen amountNow creditThen creditNow causes { cause amount credit spend opportunityCount"
                + " opportunities { opportunityId amount } } } }";
        JsonPath total = ok(ws, "{ explainChange(from: \"" + id + "\", basis: REVENUE) {" + causes, "explainChange");
        assertEquals(1000.0, total.getDouble("amountThen"), 1e-9);
        assertEquals(1500.0, total.getDouble("amountNow"), 1e-9);
        assertCauses(total, 0, 0, 500, 0);
        assertEquals(List.of("opp-s"), total.getList("causes[2].opportunities.opportunityId"));
        JsonPath paidSearch = ok(ws, "{ explainChange(from: \"" + id + "\", basis: REVENUE, key: \"paid_search\") {" + causes,
                "explainChange");
        assertEquals(500.0, paidSearch.getDouble("amountThen"), 1e-9);
        assertEquals(0.0, paidSearch.getDouble("amountNow"), 1e-9);
        assertEquals(-625.0 / 36, paidSearch.getDouble("causes[1].amount"), 1e-9, "IDENTITY");
        assertCauses(paidSearch, paidSearch.getDouble("causes[0].amount"), -625.0 / 36, paidSearch.getDouble("causes[2].amount"),
                paidSearch.getDouble("causes[3].amount"));
        assertTrue(paidSearch.getDouble("causes[0].amount") < 0 && paidSearch.getDouble("causes[2].amount") > 0
                && paidSearch.getDouble("causes[3].amount") < 0, "late touches and the shorter lookback take, the restatement gives");
        // To a later snapshot: the same causes between the two.
        String later = ok(ws, "mutation { createSnapshot(name: \"After\", " + MARCH + ", models: [{name: LINEAR}], bases: [REVENUE])"
                + " { id } }", "createSnapshot").getString("id");
        JsonPath between = ok(ws, "{ explainChange(from: \"" + id + "\", to: \"" + later + "\", basis: REVENUE, key:"
                + " \"paid_search\") {" + causes, "explainChange");
        assertEquals(paidSearch.getList("causes.amount"), between.getList("causes.amount"));
        graphql(admin, "{ explainChange(from: \"" + id + "\", model: 1, basis: REVENUE, to: \"" + later + "\") { amountNow } }")
                .body("errors[0].message", containsString("explainChange.to: snapshot " + later + " holds no report of the same"));

        // MARKOV and SHAPLEY: each combination of causes refits the model over the period's population. The total moves by the
        // restatement alone (a converting journey's credits sum to 1 under any fit); paid_search's change splits between the
        // causes, which sum to it, the figure now being the report's now.
        for (int m = 0; m < 2; m++) {
            String name = m == 0 ? "MARKOV" : "SHAPLEY";
            JsonPath modelTotal = ok(ws, "{ explainChange(from: \"" + dataDriven + "\", model: " + m + ", basis: REVENUE) {"
                    + causes, "explainChange");
            assertEquals(1000.0, modelTotal.getDouble("amountThen"), 1e-9, name);
            assertCauses(modelTotal, 0, 0, 500, 0);
            JsonPath modelNow = ok(ws, "{ performance(" + MARCH + ", model: {name: " + name + "}, basis: REVENUE) { rows { edges"
                    + " { node { key amount } } } } }", "performance");
            for (String channel : List.of("paid_search", "email")) {
                JsonPath byKey = ok(ws, "{ explainChange(from: \"" + dataDriven + "\", model: " + m + ", basis: REVENUE, key: \""
                        + channel + "\") {" + causes, "explainChange");
                double reported = modelNow.getList("rows.edges.node.key").contains(channel) ? value(modelNow, channel, "amount") : 0;
                assertEquals(reported, byKey.getDouble("amountNow"), 1e-9, name + " " + channel + " now");
                assertCauses(byKey, byKey.getDouble("causes[0].amount"), byKey.getDouble("causes[1].amount"),
                        byKey.getDouble("causes[2].amount"), byKey.getDouble("causes[3].amount"));
                assertEquals(List.of("opp-s"), byKey.getList("causes[2].opportunities.opportunityId"), name + " " + channel);
            }
        }
        // A switch from a rule-based model to a data-driven one: the figure now is MARKOV's.
        JsonPath toMarkov = ok(ws, "{ explainChange(from: \"" + id + "\", basis: REVENUE, toModel: {name: MARKOV}) {" + causes,
                "explainChange");
        assertCauses(toMarkov, 0, 0, 500, 0);

        // From a time instead of a snapshot: the data as it was then (the last data version logged before it) gives the same
        // causes, the figure then computed from the versions.
        JsonPath since = ok(ws, "{ explainChangeSince(asOf: \"" + beforeChanges + "\", " + MARCH + ", model: {name: LINEAR},"
                + " basis: REVENUE, key: \"paid_search\") { from { id } asOf" + causes, "explainChangeSince");
        assertNull(since.get("from"));
        assertFalse(Instant.parse(since.getString("asOf")).isAfter(Instant.parse(beforeChanges)),
                "the version logged at or before the time");
        assertEquals(500.0, since.getDouble("amountThen"), 1e-9);
        assertEquals(paidSearch.getList("causes.amount"), since.getList("causes.amount"));
        String monthAgo = Instant.now().minus(java.time.Duration.ofDays(30)).toString();
        graphql(admin, "{ explainChangeSince(asOf: \"" + monthAgo + "\", " + MARCH + ", model: {name: LINEAR}) { amountNow } }")
                .body("errors[0].message", containsString("explainChangeSince.asOf: no data version is kept from " + monthAgo));
        graphql(admin, "{ explainChangeSince(asOf: \"2000-01-01T00:00:00Z\", " + MARCH + ", model: {name: LINEAR}) { amountNow } }")
                .body("errors[0].message", containsString("explainChangeSince.asOf: 2000-01-01T00:00:00Z is before the oldest"
                        + " versions kept"));
        // Retention: versions replaced and moments logged before the limit go; nothing newer does.
        long keptBefore = count("select count(*) from replaced_row") + count("select count(*) from data_moment");
        pool.query("insert into replaced_row (workspace_id, entity, id, replaced_by, replaced_at, old) values ('" + ws + "', 'touch',"
                + " 'ancient', '1', '2000-01-01', '{}')").execute().await().indefinitely();
        pool.query("insert into data_moment values ('2000-01-01', '1:1:')").execute().await().indefinitely();
        assertEquals(1, versions.forget(Instant.parse("2001-01-01T00:00:00Z"), 10).await().indefinitely());
        assertEquals(keptBefore, count("select count(*) from replaced_row") + count("select count(*) from data_moment"));
        graphql(admin, "{ explainChangeSince(asOf: \"yesterday\", " + MARCH + ", model: {name: LINEAR}) { amountNow } }")
                .body("errors[0].message", containsString("explainChangeSince.asOf: must be an ISO-8601 time"));

        // A switch of models is a SETTINGS change: LINEAR then, FIRST_TOUCH now; the figure now is FIRST_TOUCH's report now.
        JsonPath firstTouchNow = ok(ws, "{ performance(" + MARCH + ", model: {name: FIRST_TOUCH}, basis: REVENUE) { rows { edges"
                + " { node { key amount } } } } }", "performance");
        JsonPath switched = ok(ws, "{ explainChange(from: \"" + id + "\", basis: REVENUE, key: \"email\", toModel: {name:"
                + " FIRST_TOUCH}) { model toModel" + causes, "explainChange");
        assertEquals("LINEAR", switched.getString("model"));
        assertEquals("FIRST_TOUCH", switched.getString("toModel"));
        assertEquals(1500.0, value(firstTouchNow, "email", "amount"), 1e-9, "email is the first touch in the 7 days now");
        assertEquals(1500.0, switched.getDouble("amountNow"), 1e-9);
        assertEquals(500.0, switched.getDouble("amountThen"), 1e-9, "half of the 1000 under LINEAR then");
        assertCauses(switched, switched.getDouble("causes[0].amount"), switched.getDouble("causes[1].amount"),
                switched.getDouble("causes[2].amount"), switched.getDouble("causes[3].amount"));
        assertNotEquals(0.0, switched.getDouble("causes[3].amount"), "the switch of models moved the figure");
        graphql(admin, "mutation { deleteSnapshot(id: \"" + later + "\") }").body("data.deleteSnapshot", equalTo(true));

        // MARKOV to a later snapshot: what arrives after it (a late paid_search touch of the deal's account, and another
        // account's visitor, whose non-converting email journey joins the population and lowers paid_search's removal effect)
        // moves the figure now, not the change between the two snapshots.
        String dataDrivenLater = ok(ws, "mutation { createSnapshot(name: \"Data-driven after\", " + MARCH + ", models: [{name:"
                + " MARKOV}], bases: [REVENUE]) { id } }", "createSnapshot").getString("id");
        String toLater = "{ explainChange(from: \"" + dataDriven + "\", to: \"" + dataDrivenLater + "\", basis: REVENUE, key:"
                + " \"paid_search\") {" + causes;
        JsonPath betweenBefore = ok(ws, toLater, "explainChange");
        assertCauses(betweenBefore, betweenBefore.getDouble("causes[0].amount"), betweenBefore.getDouble("causes[1].amount"),
                betweenBefore.getDouble("causes[2].amount"), betweenBefore.getDouble("causes[3].amount"));
        double nowBefore = ok(ws, "{ explainChange(from: \"" + dataDriven + "\", basis: REVENUE, key: \"paid_search\") {"
                + causes, "explainChange").getDouble("amountNow");
        assertEquals(nowBefore, betweenBefore.getDouble("amountNow"), 1e-9, "nothing changed since the later snapshot yet");
        applyAll(List.of(touch(ws, 5, "s-t5", "2026-03-15T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true,
                        "s1"), touch(ws, 6, "z-t1", "2026-03-16T00:00:00Z", "EMAIL_CLICK", "email", "newsletter", "email", "spring", true,
                        "z1")), List.of(membership(ws, 3, "anonymous_id", "z1", "p_z1", "acct-z")), List.of());
        JsonPath betweenAfter = ok(ws, toLater, "explainChange");
        assertEquals(betweenBefore.getList("causes.amount"), betweenAfter.getList("causes.amount"));
        double nowAfter = ok(ws, "{ explainChange(from: \"" + dataDriven + "\", basis: REVENUE, key: \"paid_search\") {"
                + causes, "explainChange").getDouble("amountNow");
        assertTrue(nowAfter > nowBefore + 1, "the late paid_search touch counts now: " + nowBefore + " -> " + nowAfter);
        graphql(admin, "mutation { deleteSnapshot(id: \"" + dataDrivenLater + "\") }").body("data.deleteSnapshot", equalTo(true));
        graphql(admin, "mutation { deleteSnapshot(id: \"" + dataDriven + "\") }").body("data.deleteSnapshot", equalTo(true));
        assertEquals(List.of(id), ok(ws, "{ snapshots { edges { node { id } } } }", "snapshots").getList("edges.node.id"));
        assertNull(ok("{ snapshot(id: \"" + id + "\") { id } }", "snapshot").get("id"), "another workspace does not see it");

        graphql(TestKeys.token(ws, "analyst"), "mutation { deleteSnapshot(id: \"" + id + "\") }")
                .body("errors[0].message", containsString("admin"));
        graphql(admin, "mutation { deleteSnapshot(id: \"" + id + "\") }").body("data.deleteSnapshot", equalTo(true));
        assertNull(ok(ws, "{ snapshot(id: \"" + id + "\") { id } }", "snapshot").get("id"));
        graphql(admin, "mutation { createSnapshot(name: \" \", " + MARCH + ", models: [{name: LINEAR}]) { id } }")
                .body("errors[0].message", containsString("createSnapshot.name: is required"));
    }

    /** The causes TOUCHES, IDENTITY, CRM, SETTINGS as given; no spend; nothing unversioned; all summing to the change. */
    /**
     * CONTACT_ROLES journeys (ChangeCausesTest's scenario, through the versions read from the database): the deal's contact
     * role resolves to person p1; a colleague's touch never counts; a late touch of p1 and a merge bringing visitor r3 into p1
     * split paid_search's change, and the figure now is the report's.
     */
    @Test
    void aContactRoleJourneysChangeFollowsTheRolesPersonsVersions() {
        String ws = "snap-roles";
        JsonArray roles = new JsonArray().add(new JsonObject().put("contactId", "c1").put("role", "Decision Maker"));
        applyAll(List.of(touch(ws, 1, "r-t1", "2026-03-01T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true, "r1"),
                        touch(ws, 2, "r-t2", "2026-03-02T00:00:00Z", "EMAIL_CLICK", "email", null, null, null, null, "r2"),
                        touch(ws, 3, "r-t3", "2026-03-05T00:00:00Z", "WEBINAR", "events", null, null, null, null, "r3")),
                List.of(membership(ws, 1, "contact_id", "c1", "p1", "acct-r"), membership(ws, 2, "anonymous_id", "r1", "p1", "acct-r"),
                        membership(ws, 3, "anonymous_id", "r2", "p2", "acct-r"), membership(ws, 4, "anonymous_id", "r3", "p3", "acct-x")),
                List.of(opportunity(ws, 1, "opp-r", "acct-r", "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                        roles, new JsonArray())));
        // The data-driven figures then, as the reports computed them (on demand, from the rows).
        String dataDriven = "{ performance(" + MARCH + ", model: {name: %s, journeyScope: CONTACT_ROLES}, basis: REVENUE) { rows"
                + " { edges { node { key amount } } } } }";
        Map<String, JsonPath> dataDrivenThen = Map.of("MARKOV", ok(ws, dataDriven.formatted("MARKOV"), "performance"),
                "SHAPLEY", ok(ws, dataDriven.formatted("SHAPLEY"), "performance"));
        versions.logMoment().await().indefinitely();
        String before = pool.query("select now()").execute().await().indefinitely().iterator().next()
                .getOffsetDateTime(0).toInstant().toString();
        applyAll(List.of(touch(ws, 4, "r-t4", "2026-03-08T00:00:00Z", "SOCIAL_CLICK", "social", null, null, null, null, "r1")),
                List.of(membership(ws, 5, "anonymous_id", "r3", "p1", "acct-r")), List.of());

        String model = "model: {name: LINEAR, journeyScope: CONTACT_ROLES}";
        String causes = " amountThen amountNow causes { cause amount opportunities { opportunityId } } } }";
        JsonPath paid = ok(ws, "{ explainChangeSince(asOf: \"" + before + "\", " + MARCH + ", " + model + ", basis: REVENUE,"
                + " key: \"paid_search\") {" + causes, "explainChangeSince");
        assertEquals(1000.0, paid.getDouble("amountThen"), 1e-9, "only the role's person's touch then");
        assertEquals(1000.0 / 3, paid.getDouble("amountNow"), 1e-9);
        assertCauses(paid, -1000.0 / 3, -1000.0 / 3, 0, 0);
        assertEquals(List.of("opp-r"), paid.getList("causes[1].opportunities.opportunityId"));
        JsonPath report = ok(ws, "{ performance(" + MARCH + ", " + model + ", basis: REVENUE) { rows { edges { node { key amount"
                + " } } } } }", "performance");
        assertEquals(value(report, "paid_search", "amount"), paid.getDouble("amountNow"), 0.005,
                "the figure now is the report's (in cents)");
        assertFalse(report.getList("rows.edges.node.key").contains("email"), "the colleague is no contact role");
        // MARKOV and SHAPLEY: each combination of causes refits over the period's population rebuilt from the versions; the
        // figures then and now are the reports' (computed on demand from the rows), the causes sum to the change.
        for (String name : List.of("MARKOV", "SHAPLEY")) {
            JsonPath explained = ok(ws, "{ explainChangeSince(asOf: \"" + before + "\", " + MARCH + ", model: {name: " + name
                    + ", journeyScope: CONTACT_ROLES}, basis: REVENUE, key: \"paid_search\") {" + causes, "explainChangeSince");
            JsonPath reportNow = ok(ws, dataDriven.formatted(name), "performance");
            assertEquals(value(dataDrivenThen.get(name), "paid_search", "amount"), explained.getDouble("amountThen"), 0.005, name);
            assertEquals(value(reportNow, "paid_search", "amount"), explained.getDouble("amountNow"), 0.005, name);
            assertCauses(explained, explained.getDouble("causes[0].amount"), explained.getDouble("causes[1].amount"), 0, 0);
            assertTrue(explained.getDouble("causes[0].amount") < 0 && explained.getDouble("causes[1].amount") < 0,
                    name + ": the late touch and the merge both take from paid_search");
            // Every deal's credits sum to 1 under any fit: the total moves by the CRM alone, here not at all.
            JsonPath total = ok(ws, "{ explainChangeSince(asOf: \"" + before + "\", " + MARCH + ", model: {name: " + name
                    + ", journeyScope: CONTACT_ROLES}, basis: REVENUE) {" + causes, "explainChangeSince");
            assertCauses(total, 0, 0, 0, 0);
        }
    }

    private static void assertCauses(JsonPath r, double touches, double identity, double crm, double settings) {
        assertEquals(List.of("TOUCHES", "IDENTITY", "CRM", "SETTINGS", "SPEND", "NOT_VERSIONED"), r.getList("causes.cause"));
        double[] expected = {touches, identity, crm, settings, 0, 0};
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.getDouble("causes[" + i + "].amount"), 1e-9, r.getString("causes[" + i + "].cause"));
            sum += r.getDouble("causes[" + i + "].amount");
        }
        assertEquals(r.getDouble("amountNow") - r.getDouble("amountThen"), sum, 1e-9, "the causes sum to the change");
    }

    @Test
    void aMonthlyScheduleTakesEachEndedMonthOnceWhateverTheReplicasChecking() {
        String ws = "snap-monthly";
        String admin = TestKeys.token(ws, "admin");
        applyAll(List.of(touch(ws, 1, "m-t1", "2026-03-02T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "brand", true, "m1")),
                List.of(membership(ws, 1, "anonymous_id", "m1", "p_m1", "acct-m")),
                List.of(opportunity(ws, 1, "opp-m", "acct-m", "700.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                        new JsonArray(), new JsonArray())));
        graphql(TestKeys.token(ws, "analyst"), "mutation { scheduleMonthlySnapshots(models: [{name: LINEAR}]) { models } }")
                .body("errors[0].message", containsString("admin"));
        graphql(admin, "mutation { scheduleMonthlySnapshots(models: [{name: LINEAR}, {name: W_SHAPED}], bases: [REVENUE])"
                + " { models bases groupBy } }")
                .body("data.scheduleMonthlySnapshots.models", equalTo(List.of("LINEAR", "W_SHAPED")))
                .body("data.scheduleMonthlySnapshots.bases", equalTo(List.of("REVENUE")))
                .body("data.scheduleMonthlySnapshots.groupBy", equalTo(List.of("CHANNEL")));
        assertEquals(List.of("LINEAR", "W_SHAPED"), ok(ws, "{ snapshotSchedule { models } }", "snapshotSchedule").getList("models"));

        // Two replicas checking on April 2nd: March is taken once.
        Instant april = Instant.parse("2026-04-02T03:00:00Z");
        int first = snapshots.takeDue(april).await().indefinitely();
        int again = snapshots.takeDue(april).await().indefinitely();
        assertEquals(1, first);
        assertEquals(0, again);
        JsonPath list = ok(ws, "{ snapshots { edges { node { id name from to reports { name basis } } } } }", "snapshots");
        assertEquals(List.of("Monthly 2026-03"), list.getList("edges.node.name"));
        assertEquals("2026-03-01", list.getString("edges[0].node.from"));
        assertEquals("2026-03-31", list.getString("edges[0].node.to"));
        JsonPath march = ok(ws, "{ snapshotReport(id: \"" + list.getString("edges[0].node.id") + "\", basis: REVENUE) { totals { revenue } } }",
                "snapshotReport");
        assertEquals(700.0, march.getDouble("totals.revenue"), 1e-9);

        // Deleted, March's snapshot is not taken again.
        String marchId = list.getString("edges[0].node.id");
        graphql(admin, "mutation { deleteSnapshot(id: \"" + marchId + "\") }").body("data.deleteSnapshot", equalTo(true));
        assertEquals(0, snapshots.takeDue(april).await().indefinitely());
        assertEquals(0, ok(ws, "{ snapshots { totalCount } }", "snapshots").getInt("totalCount"));
        graphql(admin, "mutation { cancelMonthlySnapshots }").body("data.cancelMonthlySnapshots", equalTo(true));
        assertNull(ok(ws, "{ snapshotSchedule { models } }", "snapshotSchedule").get("models"));
        assertEquals(0, snapshots.takeDue(Instant.parse("2026-05-02T03:00:00Z")).await().indefinitely(), "no schedule, no snapshot");
    }

    @Test
    void aContactsNewLeadCreationTimeMovesTheMilestoneOfReportsComputedOnDemand() {
        String ws = "lead-moves";
        java.util.function.BiFunction<Long, String, FeedItem> contact = (seq, lead) -> new FeedItem(seq, ws, "contact",
                new JsonObject().put("id", "c-lead").put("accountId", "acct-l").put("createdAt", "2026-01-01T00:00:00Z")
                        .put("leadCreatedAt", lead));
        applyAll(List.of(touch(ws, 1, "l-t1", "2026-03-01T00:00:00Z", "EMAIL_CLICK", "email", "newsletter", "email", null, true, "l1"),
                        touch(ws, 2, "l-t2", "2026-03-03T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", null, true, "l1"),
                        touch(ws, 3, "l-t3", "2026-03-05T00:00:00Z", "WEBINAR", "events", null, null, null, true, "l1")),
                List.of(membership(ws, 1, "anonymous_id", "l1", "p_l1", "acct-l")),
                List.of(contact.apply(1L, "2026-03-04T00:00:00Z"),
                        opportunity(ws, 2, "opp-l", "acct-l", "100.00", "2026-03-10T00:00:00Z", "OPEN", null,
                                new JsonArray().add(role("c-lead", "Champion")), new JsonArray())));
        // W-shaped with its own lookback: computed on demand, over the touches in memory.
        String query = "{ attribution(" + MARCH + ", model: {name: W_SHAPED, lookbackDays: 300}) { rows { key credit } } }";
        // Lead created on March 4th: first touch email, lead creation paid_search, opportunity creation events: a third each.
        JsonPath before = ok(ws, query, "attribution");
        assertEquals(1 / 3.0, attributionCredit(before, "paid_search"), 1e-12);
        applyAll(List.of(), List.of(), List.of(contact.apply(3L, "2026-03-02T00:00:00Z")));
        // Now the lead was created on March 2nd: email is both first touch and lead creation, paid_search a middle touch.
        JsonPath after = ok(ws, query, "attribution");
        assertEquals(0.6, attributionCredit(after, "email"), 1e-12);
        assertEquals(0.1, attributionCredit(after, "paid_search"), 1e-12);
        assertEquals(0.3, attributionCredit(after, "events"), 1e-12);
    }

    /** The credit of {@code key} in an attribution report's rows. */
    private static double attributionCredit(JsonPath r, String key) {
        return r.getDouble("rows[" + r.getList("rows.key").indexOf(key) + "].credit");
    }

    @Test
    void aWorkspaceKeepsAtMostItsCapOfSnapshots() {
        String ws = "snap-cap";
        String analyst = TestKeys.token(ws, "analyst");
        String create = "mutation { createSnapshot(name: \"n\", " + MARCH + ", models: [{name: LINEAR}], bases: [REVENUE]) { id } }";
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) { // %test.closedloop.snapshots.max-per-workspace
            ids.add(ok(ws, create, "createSnapshot").getString("id"));
        }
        graphql(analyst, create).body("errors[0].message",
                containsString("createSnapshot: the workspace keeps 3 snapshots, the most it may"));
        graphql(TestKeys.token(ws, "admin"), "mutation { deleteSnapshot(id: \"" + ids.get(0) + "\") }")
                .body("data.deleteSnapshot", equalTo(true));
        assertNotNull(ok(ws, create, "createSnapshot").getString("id"));
    }

    private void applyAll(List<FeedItem> touches, List<FeedItem> memberships, List<FeedItem> crm) {
        pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))).await().indefinitely();
    }

    @Test
    void performanceSpendFollowsTheGroupingAndIsZeroForContent() {
        JsonPath r = ok("{ performance(" + MARCH + ", " + LINEAR + ", groupBy: CAMPAIGN) { rows { edges { node { key spend } } } totals { spend } } }",
                "performance");
        assertEquals(300.0, value(r, "brand", "spend"), 1e-9);
        assertEquals(100.0, value(r, "spring", "spend"), 1e-9);
        assertEquals(400.0, r.getDouble("totals.spend"), 1e-9);
        JsonPath c = ok("{ performance(" + MARCH + ", " + LINEAR + ", groupBy: CONTENT) { rows { edges { node { key spend } } } totals { spend } } }",
                "performance");
        assertEquals(0.0, value(c, "(none)", "spend"), 1e-9);
        assertEquals(400.0, c.getDouble("totals.spend"), 1e-9);
    }

    @Test
    void creditedRevenueReconcilesWithWonRevenueUnderEveryKindOfModel() {
        String custom = "model: {name: CUSTOM, weights: {ft: 0.4, lc: 0.1, oc: 0.1, cw: 0.3, middle: 0.1}}";
        for (String model : List.of("model: {name: FIRST_TOUCH}", "model: {name: LINEAR}", "model: {name: TIME_DECAY}",
                "model: {name: W_SHAPED}", custom, "model: {name: MARKOV}", "model: {name: SHAPLEY}")) {
            JsonPath r = ok("{ performance(" + MARCH + ", basis: REVENUE, " + model + ") { rows { edges { node { key revenue"
                    + " wonDeals amount credit } } } totals { revenue wonDeals amount } } }", "performance");
            java.math.BigDecimal revenue = java.math.BigDecimal.ZERO;
            java.math.BigDecimal amount = java.math.BigDecimal.ZERO;
            double won = 0;
            for (int i = 0; i < r.getList("rows.edges").size(); i++) {
                revenue = revenue.add(new java.math.BigDecimal(r.getString("rows.edges[" + i + "].node.revenue")));
                amount = amount.add(new java.math.BigDecimal(r.getString("rows.edges[" + i + "].node.amount")));
                won += r.getDouble("rows.edges[" + i + "].node.wonDeals");
            }
            // opp-x1 1000 + opp-y1 500 won in March, both with touches: the rows add up to the totals exactly.
            assertEquals("1500.00", revenue.toPlainString(), model);
            assertEquals("1500.00", amount.toPlainString(), model);
            assertEquals(2, won, 1e-9, model);
            assertEquals("1500.00", r.getString("totals.revenue"), model);
        }
    }

    @Test
    void modelComparisonPutsEachModelsReportSideBySide() {
        JsonPath c = ok("{ modelComparison(" + MARCH + ", models: [{name: FIRST_TOUCH}, {name: MARKOV}], basis: REVENUE)"
                + " { models reports { model rows { edges { node { key amount credit } } } } rows { edges { node { key credits amounts } } }"
                + " } }", "modelComparison");
        assertEquals(List.of("FIRST_TOUCH", "MARKOV"), c.getList("models"));
        for (int m = 0; m < 2; m++) {
            JsonPath alone = ok("{ performance(" + MARCH + ", basis: REVENUE, model: {name: " + c.getString("models[" + m + "]")
                    + "}) { rows { edges { node { key amount credit } } } } }", "performance");
            Map<String, Double> expected = new java.util.TreeMap<>();
            for (int i = 0; i < alone.getList("rows.edges").size(); i++) {
                expected.put(alone.getString("rows.edges[" + i + "].node.key"), alone.getDouble("rows.edges[" + i + "].node.amount"));
            }
            Map<String, Double> side = new java.util.TreeMap<>();
            for (int i = 0; i < c.getList("rows.edges").size(); i++) {
                double amount = c.getDouble("rows.edges[" + i + "].node.amounts[" + m + "]");
                if (expected.containsKey(c.getString("rows.edges[" + i + "].node.key")) || amount != 0) {
                    side.put(c.getString("rows.edges[" + i + "].node.key"), amount);
                }
            }
            assertEquals(expected.keySet(), side.keySet(), "model " + m);
            expected.forEach((key, amount) -> assertEquals(amount, side.get(key), 1e-9, key));
        }
        assertTrue(c.getDouble("rows.edges[0].node.amounts[0]") >= c.getDouble("rows.edges[1].node.amounts[0]"),
                "largest under the first model first");
        graphql(TestKeys.token(WS, "analyst"), "{ modelComparison(" + MARCH + ", models: []) { models } }")
                .body("errors[0].message", containsString("modelComparison.models: give between 1 and 6"));
    }

    @Test
    void dataDrivenReportsExplainTheirCreditAndRuleBasedOnesHaveNothingToExplain() {
        String fields = "{ totals { wonDeals } explanation { model journeys conversions conversionProbability"
                + " channels { channel credit removalEffect conversionProbabilityWithout }"
                + " coalitions { channels journeys conversions conversionRate } coalitionCount } }";
        JsonPath markov = ok("{ performance(" + MARCH + ", basis: REVENUE, model: {name: MARKOV}) " + fields + " }", "performance");
        assertEquals("MARKOV", markov.getString("explanation.model"));
        // The two won deals are the converting journeys; each channel's credit sums to them.
        assertEquals(2, markov.getInt("explanation.conversions"));
        double p = markov.getDouble("explanation.conversionProbability");
        assertTrue(p > 0 && p <= 1, "P " + p);
        double credit = 0;
        for (int i = 0; i < markov.getList("explanation.channels").size(); i++) {
            String c = "explanation.channels[" + i + "].";
            credit += markov.getDouble(c + "credit");
            assertEquals(p * (1 - markov.getDouble(c + "removalEffect")), markov.getDouble(c + "conversionProbabilityWithout"), 1e-12);
        }
        assertEquals(2, credit, 1e-9);
        assertNull(markov.get("explanation.coalitions"));

        JsonPath shapley = ok("{ performance(" + MARCH + ", basis: REVENUE, model: {name: SHAPLEY}) " + fields + " }", "performance");
        assertEquals("SHAPLEY", shapley.getString("explanation.model"));
        List<Map<String, Object>> coalitions = shapley.getList("explanation.coalitions");
        assertTrue(!coalitions.isEmpty() && coalitions.size() <= shapley.getInt("explanation.coalitionCount"));
        long journeys = 0;
        for (Map<String, Object> c : coalitions) {
            long n = ((Number) c.get("journeys")).longValue();
            journeys += n;
            assertEquals(((Number) c.get("conversions")).doubleValue() / n, ((Number) c.get("conversionRate")).doubleValue(), 1e-12);
        }
        assertEquals(shapley.getInt("explanation.journeys"), journeys, "every journey is in exactly one coalition");
        assertNull(shapley.get("explanation.conversionProbability"));

        assertNull(ok("{ performance(" + MARCH + ", basis: REVENUE, " + LINEAR + ") " + fields + " }", "performance").get("explanation"));
    }

    @Test
    void performanceFromTheRollupsEqualsThePerformanceComputedOnDemand() {
        // A lookback other than the workspace's (365 days) is not what the rollups hold, so it is computed on demand;
        // no touch is a year or more older than its conversion, so every journey and every figure must be the same.
        for (String model : List.of("FIRST_TOUCH", "LAST_TOUCH", "LAST_NON_DIRECT", "LINEAR", "TIME_DECAY", "U_SHAPED",
                "W_SHAPED", "FULL_PATH", "J_SHAPED", "INVERSE_J")) {
            for (String basis : List.of("PIPELINE", "REVENUE")) {
                for (String groupBy : List.of("CHANNEL", "CAMPAIGN")) {
                    String args = ", basis: " + basis + ", groupBy: " + groupBy;
                    String fields = ") { rows { edges { node { " + ROW + " } } } totals { " + ROW + " } } }";
                    JsonPath rollups = ok("{ performance(" + MARCH + ", model: {name: " + model + "}" + args + fields, "performance");
                    JsonPath computed = ok("{ performance(" + MARCH + ", model: {name: " + model + ", lookbackDays: 366}" + args
                            + fields, "performance");
                    String what = model + " " + basis + " " + groupBy;
                    assertEquals(computed.getList("rows.edges.node.key"), rollups.getList("rows.edges.node.key"), what);
                    for (String field : ROW.split(" ")) {
                        if (field.equals("key")) {
                            continue;
                        }
                        for (int i = 0; i < computed.getList("rows.edges").size(); i++) {
                            String at = "rows.edges[" + i + "].node." + field;
                            assertSame(computed.get(at), rollups.get(at), what + " " + at);
                        }
                        assertSame(computed.get("totals." + field), rollups.get("totals." + field), what + " totals." + field);
                    }
                }
            }
        }
        // The figures this compares are not all empty.
        JsonPath r = ok("{ performance(" + MARCH + ", " + LINEAR + ", basis: REVENUE) { totals { newCustomers"
                + " medianDaysToConversion } } }", "performance");
        assertEquals(2.0, r.getDouble("totals.newCustomers"), 1e-9);
        assertNotNull(r.get("totals.medianDaysToConversion"));
    }

    private static void assertSame(Object expected, Object actual, String what) {
        if (expected == null || actual == null) {
            assertEquals(expected, actual, what);
        } else {
            // Money is a string, exact: equal; other figures are floating point.
            assertEquals(Double.parseDouble(expected.toString()), Double.parseDouble(actual.toString()), 1e-9, what);
        }
    }

    @Test
    void creditedOpportunitiesDrillDownToTheDealsOfOneRow() {
        JsonPath r = ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ", key: \"paid_search\") { totalCount edges { node {"
                + " opportunityId accountId amount currency credit attributedAmount touches convertedAt } } } }",
                "creditedOpportunities.edges.node");
        assertEquals(List.of("opp-x1", "opp-y1"), r.getList("opportunityId"));
        assertEquals("500.00", r.getString("[0].attributedAmount"));
        assertEquals("1000.00", r.getString("[0].amount"));
        assertEquals("USD", r.getString("[0].currency"));
        assertEquals("250.00", r.getString("[1].attributedAmount"));
        assertEquals(0.5, r.getDouble("[1].credit"), 1e-9);
        assertEquals(1, r.getInt("[0].touches"));
        assertEquals("2026-03-10T00:00:00Z", r.getString("[0].convertedAt"));
        JsonPath won = ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ", basis: REVENUE, first: 1) { edges { node {"
                + " opportunityId credit touches convertedAt } } } }", "creditedOpportunities.edges.node");
        assertEquals(List.of("opp-x1"), won.getList("opportunityId"));
        assertEquals(3, won.getInt("[0].touches"));
        assertEquals("2026-03-20T00:00:00Z", won.getString("[0].convertedAt"));
    }

    @Test
    void sourcedAndInfluencedCountAndSumByChannel() {
        JsonPath r = ok("{ sourcedInfluenced(" + MARCH + ") { groupBy currency marketingTouchTypes rows { edges { node { key"
                + " sourcedCount sourcedAmount influencedCount influencedAmount } } } totals { key sourcedCount sourcedAmount influencedCount influencedAmount } } }",
                "sourcedInfluenced");
        assertEquals("CHANNEL", r.getString("groupBy"));
        assertTrue(r.getList("marketingTouchTypes").contains("AD_CLICK"), r.getList("marketingTouchTypes").toString());
        assertFalse(r.getList("marketingTouchTypes").contains("SALES_OUTREACH"), r.getList("marketingTouchTypes").toString());
        // x: first touch AD_CLICK (sourced, paid_search); y: first touch SALES_OUTREACH (not marketing); z: no touch.
        assertSourced(r, "paid_search", 1, 1000, 2, 1500);
        assertSourced(r, "email", 0, 0, 1, 1000);
        assertSourced(r, "events", 0, 0, 1, 1000);
        assertEquals(3, r.getList("rows.edges").size());
        assertEquals("USD", r.getString("currency"));
        assertEquals(1, r.getInt("totals.sourcedCount"));
        assertEquals(1000.0, r.getDouble("totals.sourcedAmount"), 1e-9);
        assertEquals(2, r.getInt("totals.influencedCount"));
        assertEquals(1500.0, r.getDouble("totals.influencedAmount"), 1e-9);
    }

    @Test
    void pipelineInfluenceCountsAccountsTouchedInTheWindow() {
        JsonPath r = ok("{ pipelineInfluence(" + MARCH + ") { windowDays currency totalCount totalAmount influencedCount influencedAmount"
                + " countShare amountShare } }", "pipelineInfluence");
        assertEquals(90, r.getInt("windowDays"));
        assertEquals(3, r.getInt("totalCount"));
        assertEquals("1700.00", r.getString("totalAmount"));
        assertEquals("USD", r.getString("currency"));
        assertEquals(2, r.getInt("influencedCount"));
        assertEquals(1500.0, r.getDouble("influencedAmount"), 1e-9);
        assertEquals(2 / 3.0, r.getDouble("countShare"), 1e-9);
        assertEquals(1500 / 1700.0, r.getDouble("amountShare"), 1e-9);
        // 3 days: x's touches (03-01, 03-05) are before 03-07; y's AD_CLICK 03-06 is within [03-05, 03-08].
        JsonPath narrow = ok("{ pipelineInfluence(" + MARCH + ", windowDays: 3) { influencedCount influencedAmount } }",
                "pipelineInfluence");
        assertEquals(1, narrow.getInt("influencedCount"));
        assertEquals(500.0, narrow.getDouble("influencedAmount"), 1e-9);
    }

    @Test
    void dataQualityFigures() {
        JsonPath r = ok("{ dataQuality(" + MARCH + ") { touches validUtmShare personShare accountShare revenueWithTouchShare"
                + " touchesPerConversion opportunitiesWithoutContactRoles unmappedCampaigns } }", "dataQuality");
        assertEquals(7, r.getInt("touches"));
        assertEquals(5 / 6.0, r.getDouble("validUtmShare"), 1e-9); // y-t1 has no flag
        assertEquals(6 / 7.0, r.getDouble("personShare"), 1e-9); // n-t1 unresolved
        assertEquals(5 / 7.0, r.getDouble("accountShare"), 1e-9); // w-t1's person has no account
        assertEquals(1100 / 1250.0, r.getDouble("revenueWithTouchShare"), 1e-9); // acct-w and acct-q have none
        assertEquals(2.5, r.getDouble("touchesPerConversion"), 1e-9); // 3 + 2 touches over two won deals
        assertEquals(2, r.getInt("opportunitiesWithoutContactRoles"));
        assertEquals(List.of("mystery"), r.getList("unmappedCampaigns"));
    }

    @Test
    void cohortLtvByQuarterAndFirstTouchChannel() {
        JsonPath r = ok("{ cohortLtv(period: {from: \"2026-01-01\", to: \"2026-06-30\"}, periods: 2) { cohort rows { cohort channel"
                + " customers revenuePerCustomer ltv cac ltvToCac } } }", "cohortLtv");
        assertEquals("QUARTER", r.getString("cohort"));
        assertEquals(List.of("offline", "paid_search"), r.getList("rows.channel"));
        assertEquals(List.of("2026-Q1", "2026-Q1"), r.getList("rows.cohort"));
        assertEquals(List.of("500.00", "500.00", "500.00"), r.getList("rows[0].revenuePerCustomer"));
        assertNull(r.get("rows[0].cac"));
        assertEquals(List.of("600.00", "1000.00", "1000.00"), r.getList("rows[1].revenuePerCustomer"));
        assertEquals("1000.00", r.getString("rows[1].ltv"));
        assertEquals("1299.00", r.getString("rows[1].cac")); // Q1 paid_search spend incl. 02-28
        assertEquals(1000 / 1299.0, r.getDouble("rows[1].ltvToCac"), 1e-9);
        JsonPath months = ok("{ cohortLtv(period: {from: \"2026-01-01\", to: \"2026-06-30\"}, cohort: MONTH, periods: 2) { cohort"
                + " rows { cohort revenuePerCustomer } } }", "cohortLtv");
        assertEquals("MONTH", months.getString("cohort"));
        assertEquals(List.of("600.00", "600.00", "1000.00"), months.getList("rows[1].revenuePerCustomer"));
        assertEquals("2026-03", months.getString("rows[1].cohort"));
    }

    @Test
    void accountViewShowsTimelineContactsCoverageAndVelocity() {
        JsonPath r = ok("{ accountView(accountId: \"acct-x\") { timeline { totalCount pageInfo { hasNextPage } edges { node { at kind"
                + " touchId touchType channel personId opportunityId stage } } } contacts contactsReached buyingCommitteeCoverage"
                + " engagementVelocityDays } }", "accountView");
        // Newest first.
        assertEquals(List.of("STAGE", "TOUCH", "STAGE", "TOUCH", "TOUCH"), r.getList("timeline.edges.node.kind"));
        assertEquals("Discovery", r.getString("timeline.edges[2].node.stage"));
        assertEquals("opp-x1", r.getString("timeline.edges[2].node.opportunityId"));
        assertEquals("x-t3", r.getString("timeline.edges[1].node.touchId"));
        assertEquals("p_x1", r.getString("timeline.edges[4].node.personId"));
        assertEquals(5, r.getInt("timeline.totalCount"));
        assertFalse(r.getBoolean("timeline.pageInfo.hasNextPage"));
        assertEquals(2, r.getInt("contacts"));
        assertEquals(1, r.getInt("contactsReached"));
        assertEquals(0.5, r.getDouble("buyingCommitteeCoverage"), 1e-9);
        assertEquals(9.0, r.getDouble("engagementVelocityDays"), 1e-9);

        // Paged two entries at a time: the same entries in the same order, none twice; the figures still count every touch.
        List<Object> paged = new java.util.ArrayList<>();
        String after = null;
        for (int page = 0; page < 3; page++) {
            JsonPath p = ok("{ accountView(accountId: \"acct-x\", first: 2" + (after == null ? "" : ", after: \"" + after + "\"")
                    + ") { timeline { pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { kind touchId"
                    + " opportunityId stage } } } contactsReached buyingCommitteeCoverage engagementVelocityDays } }", "accountView");
            for (int i = 0; i < p.getList("timeline.edges").size(); i++) {
                Map<String, Object> node = p.getMap("timeline.edges[" + i + "].node");
                paged.add(node.get("kind") + ":" + node.get("touchId") + ":" + node.get("opportunityId") + ":" + node.get("stage"));
            }
            assertEquals(page < 2, p.getBoolean("timeline.pageInfo.hasNextPage"), "page " + page);
            assertEquals(page > 0, p.getBoolean("timeline.pageInfo.hasPreviousPage"), "page " + page);
            assertEquals(1, p.getInt("contactsReached"));
            assertEquals(0.5, p.getDouble("buyingCommitteeCoverage"), 1e-9);
            after = p.getString("timeline.pageInfo.endCursor");
        }
        List<Object> whole = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> node = r.getMap("timeline.edges[" + i + "].node");
            whole.add(node.get("kind") + ":" + node.get("touchId") + ":" + node.get("opportunityId") + ":" + node.get("stage"));
        }
        assertEquals(whole, paged);
        graphql(TestKeys.token(WS, "analyst"), "{ accountView(accountId: \"acct-x\", first: 0) { contacts } }")
                .body("errors[0].message", containsString("accountView.first: must be between 1 and 1000"));
        graphql(TestKeys.token(WS, "analyst"), "{ accountView(accountId: \"acct-x\", after: \"bm90LWEtY3Vyc29y\") { contacts } }")
                .body("errors[0].message", containsString("accountView.after: 'bm90LWEtY3Vyc29y' is not a cursor this API returned"));
        // Two parts of three, and a time past the year 9999: refused naming the argument, not a system error.
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        for (String cursor : List.of(b64.encodeToString("2026-03-01T00:00:00Z".getBytes()) + "." + b64.encodeToString("TOUCH".getBytes()),
                b64.encodeToString("+1000000-01-01T00:00:00Z".getBytes()) + "." + b64.encodeToString("TOUCH".getBytes()) + "."
                        + b64.encodeToString("x".getBytes()))) {
            graphql(TestKeys.token(WS, "analyst"), "{ accountView(accountId: \"acct-x\", after: \"" + cursor + "\") { contacts } }")
                    .body("errors[0].message", containsString("accountView.after: '" + cursor + "' is not a cursor this API returned"));
        }
        String farFuture = b64.encodeToString("+1000000-01-01T00:00:00Z".getBytes()) + "." + b64.encodeToString("x".getBytes());
        graphql(TestKeys.token(WS, "analyst"), "{ dataQualityTouches(" + MARCH + ", problem: NO_PERSON, after: \"" + farFuture
                + "\") { totalCount } }")
                .body("errors[0].message", containsString("dataQualityTouches.after: '" + farFuture + "' is not a cursor"));
    }

    /**
     * 330 won deals of 1,000.00, each journey one touch in each of three channels: under LINEAR each channel is credited a
     * third of every deal, 110,000.00 exactly (binary floating point summed it to 109999.99999999994), and the total
     * 330,000.00; one more deal with no touch is the unattributed 1,000.00. Under every model the rows add up to the
     * attributed total exactly, and attributed plus unattributed is the won amount.
     */
    @Test
    void moneyIsExactAndRowsAddUpToTheTotals() {
        String ws = "money";
        loadDeals(ws, 0, 330);
        pool.withTransaction(tx -> apply.applyCrm(tx, CrmItem.all(List.of(opportunity(ws, 1_000, "lonely", "acct-lonely", "1000.00",
                        "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z", new JsonArray(), new JsonArray())))))
                .await().indefinitely();
        JsonPath linear = ok(ws, "{ performance(" + MARCH + ", " + LINEAR + ", basis: REVENUE) { rows { edges { node { key amount"
                + " revenue } } } totals { amount revenue unattributed { count amount } } } }", "performance");
        assertEquals(List.of("110000.00", "110000.00", "110000.00"), linear.getList("rows.edges.node.amount"));
        assertEquals(List.of("110000.00", "110000.00", "110000.00"), linear.getList("rows.edges.node.revenue"));
        assertEquals("330000.00", linear.getString("totals.amount"));
        assertEquals(1, linear.getInt("totals.unattributed.count"));
        assertEquals("1000.00", linear.getString("totals.unattributed.amount"));
        for (String model : List.of("FIRST_TOUCH", "LAST_TOUCH", "LINEAR", "TIME_DECAY", "U_SHAPED", "W_SHAPED", "FULL_PATH",
                "J_SHAPED", "INVERSE_J", "MARKOV", "SHAPLEY")) {
            for (String basis : List.of("PIPELINE", "REVENUE")) {
                JsonPath r = ok(ws, "{ performance(" + MARCH + ", model: {name: " + model + "}, basis: " + basis + ") { rows {"
                        + " edges { node { amount } } } totals { amount unattributed { amount } } } }", "performance");
                java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
                for (Object amount : r.getList("rows.edges.node.amount")) {
                    sum = sum.add(new java.math.BigDecimal((String) amount));
                }
                String what = model + " " + basis;
                assertEquals("330000.00", sum.toPlainString(), what);
                assertEquals("330000.00", r.getString("totals.amount"), what);
                assertEquals("1000.00", r.getString("totals.unattributed.amount"), what);
            }
        }
        // One journey's touches add up to its deal's amount exactly.
        JsonPath journey = graphql(TestKeys.token(ws, "analyst"), "{ opportunityJourney(opportunityId: \"deal-0\", " + LINEAR
                + ", basis: REVENUE) { amount currency touches { amount } } }").statusCode(200).extract().jsonPath();
        assertEquals("1000.00", journey.getString("data.opportunityJourney.amount"));
        assertEquals("USD", journey.getString("data.opportunityJourney.currency"));
        assertEquals(List.of("333.34", "333.33", "333.33"), journey.getList("data.opportunityJourney.touches.amount"));
    }

    /** Deals {@code from} .. {@code to - 1} of {@link #moneyIsExactAndRowsAddUpToTheTotals}'s kind, in one transaction. */
    private void loadDeals(String ws, int from, int to) {
        List<FeedItem> touches = new java.util.ArrayList<>();
        List<FeedItem> memberships = new java.util.ArrayList<>();
        List<FeedItem> crm = new java.util.ArrayList<>();
        String[] channels = {"paid_search", "email", "events"};
        for (int i = from; i < to; i++) {
            String visitor = "v" + i;
            for (int c = 0; c < 3; c++) {
                touches.add(touch(ws, 3L * i + c, "t" + i + "-" + c, "2026-03-0" + (c + 1) + "T00:00:00Z", "AD_CLICK", channels[c],
                        "s" + c, "m" + c, "campaign-" + (i % 50), true, visitor));
            }
            memberships.add(membership(ws, i, "anonymous_id", visitor, "p" + i, "acct-" + i));
            crm.add(opportunity(ws, i, "deal-" + i, "acct-" + i, "1000.00", "2026-03-10T00:00:00Z", "WON", "2026-03-20T00:00:00Z",
                    new JsonArray(), new JsonArray()));
        }
        pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))).await().indefinitely();
    }

    /**
     * Paging through every connection of the reports: each item once, in order, also while deals are added between two
     * pages (an item added lands on a page not yet read or on none, never twice), and a cursor from elsewhere is refused.
     */
    @Test
    void pagesHoldEveryItemOnceWhileDataIsAdded() {
        String ws = "paging";
        loadDeals(ws, 0, 40);
        String analyst = TestKeys.token(ws, "analyst");
        List<String> credited = pageThrough(ws, "creditedOpportunities(" + MARCH + ", " + LINEAR + ", key: \"email\"",
                "opportunityId", 7, () -> loadDeals(ws, 40, 45));
        assertNoneTwiceAndNoneOfTheFirstLost(credited, 40, "deal-");
        List<String> campaigns = pageThrough(ws, "performance(" + MARCH + ", " + LINEAR + ", groupBy: CAMPAIGN", "key", 6, null);
        // Deals 0..44 by now, one campaign each.
        assertEquals(45, campaigns.size());
        assertEquals(45, new java.util.HashSet<>(campaigns).size());
        List<String> touchIds = pageThrough(ws, "dataQualityTouches(" + MARCH + ", problem: NO_PERSON", "touchId", 9, null);
        assertEquals(List.of(), touchIds, "every touch resolves to a person");
        List<String> sourced = pageThrough(ws, "sourcedInfluenced(" + MARCH + ", groupBy: CAMPAIGN", "key", 8, null);
        assertEquals(45, new java.util.HashSet<>(sourced).size());
        graphql(analyst, "{ creditedOpportunities(" + MARCH + ", " + LINEAR + ", after: \"%%%\") { totalCount } }")
                .body("errors[0].message", containsString("creditedOpportunities.after: '%%%' is not a cursor this API returned"));
        graphql(analyst, "{ performance(" + MARCH + ", " + LINEAR + ", after: \"eHl6\") { basis } }")
                .body("errors[0].message", containsString("performance.after: 'eHl6' is not a cursor this API returned"));
    }

    /**
     * Every item's {@code field} of the connection {@code call} (its arguments, without the closing parenthesis), {@code
     * first} at a time; {@code between} runs after the first page.
     */
    private static List<String> pageThrough(String ws, String call, String field, int first, Runnable between) {
        String root = call.substring(0, call.indexOf('('));
        String rows = root.equals("creditedOpportunities") || root.equals("dataQualityTouches") ? "" : "rows";
        List<String> out = new java.util.ArrayList<>();
        String after = null;
        for (int page = 0; page < 1000; page++) {
            String selection = "{ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { " + field + " } } }";
            String query = "{ " + call + ", first: " + first + (after == null ? "" : ", after: \"" + after + "\"") + ") "
                    + (rows.isEmpty() ? selection : "{ rows " + selection + " }") + " }";
            JsonPath p = ok(ws, query, root + (rows.isEmpty() ? "" : ".rows"));
            List<String> items = p.getList("edges.node." + field);
            assertTrue(items.size() <= first, query);
            out.addAll(items);
            if (page == 0 && between != null) {
                between.run();
            }
            if (!p.getBoolean("pageInfo.hasNextPage")) {
                return out;
            }
            after = p.getString("pageInfo.endCursor");
            assertEquals(p.getString("edges[" + (items.size() - 1) + "].cursor"), after);
        }
        throw new AssertionError("no last page: " + call);
    }

    private static void assertNoneTwiceAndNoneOfTheFirstLost(List<String> ids, int before, String prefix) {
        assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "an item came twice: " + ids);
        for (int i = 0; i < before; i++) {
            assertTrue(ids.contains(prefix + i), prefix + i + " was lost: " + ids);
        }
    }

    /** A workspace whose objects bear the same ids as some of WS's (opp-x1, acct-x, p_x1) and ids of their own. */
    private static final String ELSEWHERE = "reports-elsewhere";
    private static boolean elsewhereLoaded;

    /**
     * ELSEWHERE: far1 (person p_far, account acct-far) far-t1 03-03 AD_CLICK paid_search; far2 (person p_x1, account acct-x)
     * far-t2 03-04 WEBINAR events; opp-far (acct-far) 700 created 03-09 open, a stage Discovery 03-09; opp-x1 (acct-x)
     * 9999 created 03-05 open.
     */
    private void loadElsewhereOnce() {
        if (elsewhereLoaded) {
            return;
        }
        List<FeedItem> touches = List.of(
                touch(ELSEWHERE, 1, "far-t1", "2026-03-03T00:00:00Z", "AD_CLICK", "paid_search", "google", "cpc", "far", true, "far1"),
                touch(ELSEWHERE, 2, "far-t2", "2026-03-04T00:00:00Z", "WEBINAR", "events", null, null, null, true, "far2"));
        List<FeedItem> memberships = List.of(
                membership(ELSEWHERE, 1, "anonymous_id", "far1", "p_far", "acct-far"),
                membership(ELSEWHERE, 2, "anonymous_id", "far2", "p_x1", "acct-x"));
        List<FeedItem> crm = List.of(
                opportunity(ELSEWHERE, 1, "opp-far", "acct-far", "700.00", "2026-03-09T00:00:00Z", "OPEN", null, new JsonArray(),
                        new JsonArray().add(stage("Discovery", "2026-03-09T00:00:00Z"))),
                opportunity(ELSEWHERE, 2, "opp-x1", "acct-x", "9999.00", "2026-03-05T00:00:00Z", "OPEN", null, new JsonArray(),
                        new JsonArray()));
        pool.withTransaction(tx -> apply.applyTouches(tx, TouchItem.all(touches))
                .chain(() -> apply.applyMemberships(tx, MembershipItem.all(memberships)))
                .chain(() -> apply.applyCrm(tx, CrmItem.all(crm)))).await().indefinitely();
        elsewhereLoaded = true;
    }

    private static final String JOURNEY = "opportunityId accountId status basis model amount currency createdAt closedAt"
            + " unattributed touches { touchId occurredAt touchType channel source medium campaign content milestones credit amount }";
    private static final String TIMELINE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges {"
            + " cursor node { at kind touchId touchType channel campaign personId opportunityId stage } }";
    private static final String ENGAGEMENT = "contacts contactsReached buyingCommitteeCoverage engagementVelocityDays";
    private static final String TOUCHES = "totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node {"
            + " touchId occurredAt touchType channel source medium campaign content } }";
    /** What a gateway asks of attribution's entities: every field, one of them twice with other arguments. */
    private static final String ENTITY_FIELDS = "__typename"
            + " ... on Opportunity { id journey(model: {name: W_SHAPED}) { " + JOURNEY + " }"
            + " linear: journey(model: {name: LINEAR}) { " + JOURNEY + " } }"
            + " ... on Account { id timeline(first: 2) { " + TIMELINE + " } engagement { " + ENGAGEMENT + " }"
            + " credit(" + MARCH + ", " + LINEAR + ") { key credit amount }"
            + " won: credit(" + MARCH + ", " + LINEAR + ", basis: REVENUE) { key credit amount } }"
            + " ... on Person { id touches(first: 10) { " + TOUCHES + " } }";
    private static final List<String> OPPORTUNITIES = List.of("opp-x1", "opp-y1", "opp-z1", "opp-none", "opp-far");
    private static final List<String> ACCOUNTS = List.of("acct-x", "acct-y", "acct-z", "acct-none", "acct-far");
    private static final List<String> PERSONS = List.of("p_x1", "p_y1", "p_w1", "p_cy", "p-none", "p_far");

    /** An _entities query of the fields {@code fields} for the representations, each "Type:id". */
    private static String entities(List<String> representations, String fields) {
        StringBuilder reps = new StringBuilder();
        for (String r : representations) {
            String[] typeAndId = r.split(":", 2);
            reps.append(reps.isEmpty() ? "" : ", ").append("{__typename: \"").append(typeAndId[0]).append("\", id: \"")
                    .append(typeAndId[1]).append("\"}");
        }
        return "{ _entities(representations: [" + reps + "]) { " + fields + " } }";
    }

    private static List<String> representations(List<String> opportunities, List<String> accounts, List<String> persons) {
        List<String> out = new java.util.ArrayList<>();
        opportunities.forEach(id -> out.add("Opportunity:" + id));
        accounts.forEach(id -> out.add("Account:" + id));
        persons.forEach(id -> out.add("Person:" + id));
        return out;
    }

    /**
     * One _entities request with several Opportunities, Accounts and Persons (as a gateway sends it), an id attribution does
     * not know and ids of another workspace: each entity's fields are what the single-object queries answer today
     * (opportunityJourney, accountView) and the figures by hand; another workspace's objects, even under the same ids, are
     * not seen, while that workspace sees them.
     */
    @Test
    void entitiesAnswerAsTheirOwnQueriesAndNothingOfAnotherWorkspace() {
        loadElsewhereOnce();
        List<String> reps = representations(OPPORTUNITIES, ACCOUNTS, PERSONS);
        JsonPath r = ok(entities(reps, ENTITY_FIELDS), "_entities");
        assertEquals(reps.size(), r.getList("__typename").size());
        for (int i = 0; i < reps.size(); i++) {
            assertEquals(reps.get(i), r.getString("[" + i + "].__typename") + ":" + r.getString("[" + i + "].id"), "in order");
        }

        // Opportunities: the journeys opportunityJourney gives, under both models asked.
        for (int i = 0; i < 3; i++) {
            String id = OPPORTUNITIES.get(i);
            for (String model : List.of("W_SHAPED", "LINEAR")) {
                Map<String, Object> single = ok("{ opportunityJourney(opportunityId: \"" + id + "\", model: {name: " + model
                        + "}) { " + JOURNEY + " } }", "").getMap("opportunityJourney");
                assertEquals(single, r.getMap("[" + i + "]." + (model.equals("LINEAR") ? "linear" : "journey")), id + " " + model);
            }
        }
        // By hand, W-shaped: no lead creation time and no form fill, so LC = FT; no middle touch, so FT+LC get 2/3, OC 1/3.
        assertEquals(List.of("x-t1", "x-t2"), r.getList("[0].journey.touches.touchId"));
        assertEquals(List.of(List.of("FT", "LC"), List.of("OC")), r.getList("[0].journey.touches.milestones"));
        assertEquals(2 / 3.0, r.getDouble("[0].journey.touches[0].credit"), 1e-12);
        assertEquals(List.of("666.67", "333.33"), r.getList("[0].journey.touches.amount"));
        assertEquals(List.of("333.33", "166.67"), r.getList("[1].journey.touches.amount"));
        assertEquals(List.of(0.5, 0.5), r.getList("[1].linear.touches.credit"));
        assertTrue(r.getBoolean("[2].journey.unattributed"));
        assertEquals(List.of(), r.getList("[2].journey.touches"));
        // Unknown here, and another workspace's (opp-far; its opp-x1 of 9999.00 is not ours).
        assertNull(r.get("[3].journey"));
        assertNull(r.get("[4].journey"));
        assertEquals("1000.00", r.getString("[0].journey.amount"));

        // Accounts: the timeline page and the figures accountView gives.
        for (int i = 0; i < 4; i++) {
            String id = ACCOUNTS.get(i);
            int at = OPPORTUNITIES.size() + i;
            JsonPath view = ok("{ accountView(accountId: \"" + id + "\", first: 2) { timeline { " + TIMELINE + " } " + ENGAGEMENT
                    + " } }", "accountView");
            assertEquals(view.getMap("timeline"), r.getMap("[" + at + "].timeline"), id);
            for (String figure : ENGAGEMENT.split(" ")) {
                assertEquals((Object) view.get(figure), r.get("[" + at + "].engagement." + figure), id + " " + figure);
            }
        }
        int x = OPPORTUNITIES.size();
        assertEquals(List.of("STAGE", "TOUCH"), r.getList("[" + x + "].timeline.edges.node.kind"));
        assertEquals(5, r.getInt("[" + x + "].timeline.totalCount"), "acct-x: 3 touches and 2 stages here, far-t2 is not ours");
        assertEquals(List.of("y-t2", "y-t1"), r.getList("[" + (x + 1) + "].timeline.edges.node.touchId"));
        assertEquals(2.0, r.getDouble("[" + x + "].engagement.contacts"));
        assertEquals(1.0, r.getDouble("[" + x + "].engagement.contactsReached"));
        assertEquals(0.5, r.getDouble("[" + x + "].engagement.buyingCommitteeCoverage"), 1e-12);
        assertEquals(9.0, r.getDouble("[" + x + "].engagement.engagementVelocityDays"), 1e-12);
        assertEquals(6.0, r.getDouble("[" + (x + 1) + "].engagement.engagementVelocityDays"), 1e-12);
        // Credit by hand (linear): x's pipeline journey is x-t1 paid_search and x-t2 email, halves of 1000; y's y-t1 offline
        // and y-t2 paid_search, halves of 500; z's has no touch. Revenue: x's journey also has x-t3 (events), thirds of 1000,
        // the cent left over to the first key (email).
        assertEquals(List.of(Map.of("key", "email", "credit", 0.5, "amount", "500.00"),
                Map.of("key", "paid_search", "credit", 0.5, "amount", "500.00")), r.getList("[" + x + "].credit"));
        assertEquals(List.of(Map.of("key", "offline", "credit", 0.5, "amount", "250.00"),
                Map.of("key", "paid_search", "credit", 0.5, "amount", "250.00")), r.getList("[" + (x + 1) + "].credit"));
        assertEquals(List.of("email", "events", "paid_search"), r.getList("[" + x + "].won.key"));
        assertEquals(List.of("333.34", "333.33", "333.33"), r.getList("[" + x + "].won.amount"));
        assertEquals(List.of(), r.getList("[" + (x + 2) + "].credit"));
        // The accounts' groups add up to the performance report's rows.
        JsonPath performance = ok("{ performance(" + MARCH + ", " + LINEAR + ") { rows { edges { node { key credit amount } } } } }",
                "performance");
        for (int i = 0; i < performance.getList("rows.edges").size(); i++) {
            String key = performance.getString("rows.edges[" + i + "].node.key");
            java.math.BigDecimal amount = java.math.BigDecimal.ZERO;
            double credit = 0;
            for (int a = 0; a < ACCOUNTS.size(); a++) {
                for (Map<String, Object> row : r.<Map<String, Object>>getList("[" + (x + a) + "].credit")) {
                    if (key.equals(row.get("key"))) {
                        amount = amount.add(new java.math.BigDecimal((String) row.get("amount")));
                        credit += ((Number) row.get("credit")).doubleValue();
                    }
                }
            }
            assertEquals(performance.getString("rows.edges[" + i + "].node.amount"), amount.setScale(2).toPlainString(), key);
            assertEquals(performance.getDouble("rows.edges[" + i + "].node.credit"), credit, 1e-9, key);
        }
        // Unknown here, and another workspace's account: nothing; acct-far is only ELSEWHERE's.
        for (int a = 3; a < 5; a++) {
            String at = "[" + (x + a) + "].";
            assertEquals(0, r.getInt(at + "timeline.totalCount"));
            assertEquals(List.of(), r.getList(at + "timeline.edges"));
            assertEquals(0.0, r.getDouble(at + "engagement.contacts"));
            assertNull(r.get(at + "engagement.engagementVelocityDays"));
            assertEquals(List.of(), r.getList(at + "credit"));
        }

        // Persons: their touches newest first, the same order as dataQualityTouches.
        int p = x + ACCOUNTS.size();
        assertEquals(List.of("x-t3", "x-t2", "x-t1"), r.getList("[" + p + "].touches.edges.node.touchId"));
        assertEquals(3, r.getInt("[" + p + "].touches.totalCount"), "p_x1 here: far-t2 is ELSEWHERE's p_x1's");
        assertEquals(Map.of("touchId", "x-t1", "occurredAt", "2026-03-01T00:00:00Z", "touchType", "AD_CLICK", "channel",
                "paid_search", "source", "google", "medium", "cpc", "campaign", "brand"),
                withoutNulls(r.getMap("[" + p + "].touches.edges[2].node")));
        assertEquals(List.of("y-t2", "y-t1"), r.getList("[" + (p + 1) + "].touches.edges.node.touchId"));
        assertEquals(List.of("w-t1"), r.getList("[" + (p + 2) + "].touches.edges.node.touchId"), "a person of no account");
        for (int i = 3; i < 6; i++) {
            assertEquals(0, r.getInt("[" + (p + i) + "].touches.totalCount"), PERSONS.get(i));
            assertEquals(List.of(), r.getList("[" + (p + i) + "].touches.edges"), PERSONS.get(i));
        }
        assertFalse(r.getBoolean("[" + p + "].touches.pageInfo.hasNextPage"));

        // ELSEWHERE sees its own objects under the same representations.
        JsonPath other = ok(ELSEWHERE, entities(reps, ENTITY_FIELDS), "_entities");
        assertEquals("9999.00", other.getString("[0].journey.amount"));
        assertEquals(List.of("far-t2"), other.getList("[0].journey.touches.touchId"));
        assertEquals("700.00", other.getString("[4].journey.amount"));
        assertEquals(List.of("far-t1"), other.getList("[4].journey.touches.touchId"));
        assertEquals(List.of("far-t2"), other.getList("[" + x + "].timeline.edges.node.touchId"));
        assertEquals(2, other.getInt("[" + (x + 4) + "].timeline.totalCount"));
        assertEquals(List.of("far-t2"), other.getList("[" + p + "].touches.edges.node.touchId"));
        assertEquals(List.of("far-t1"), other.getList("[" + (p + 5) + "].touches.edges.node.touchId"));
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> out = new java.util.HashMap<>(map);
        out.values().removeIf(java.util.Objects::isNull);
        return out;
    }

    /**
     * Entity fields page as their single-object queries (the same cursors), a failure of one entity is that entity's, and
     * arguments are checked naming the entity's field.
     */
    @Test
    void entityFieldsPageFailAloneAndCheckTheirArguments() {
        String analyst = TestKeys.token(WS, "analyst");
        // Timeline pages of two accounts with one cursor: acct-x's second page as accountView's.
        JsonPath first = ok(entities(List.of("Account:acct-x"), "... on Account { timeline(first: 2) { " + TIMELINE + " } }"),
                "_entities[0].timeline");
        String after = first.getString("pageInfo.endCursor");
        JsonPath second = ok(entities(List.of("Account:acct-x", "Account:acct-y"), "... on Account { timeline(first: 2, after: \""
                + after + "\") { " + TIMELINE + " } }"), "_entities");
        JsonPath view = ok("{ accountView(accountId: \"acct-x\", first: 2, after: \"" + after + "\") { timeline { " + TIMELINE
                + " } } }", "accountView");
        assertEquals(view.getMap("timeline"), second.getMap("[0].timeline"));
        assertEquals(List.of("STAGE", "TOUCH"), second.getList("[0].timeline.edges.node.kind"));
        // Person touches, two at a time: every touch once, newest first.
        JsonPath page1 = ok(entities(List.of("Person:p_x1"), "... on Person { touches(first: 2) { " + TOUCHES + " } }"),
                "_entities[0].touches");
        assertEquals(List.of("x-t3", "x-t2"), page1.getList("edges.node.touchId"));
        assertTrue(page1.getBoolean("pageInfo.hasNextPage"));
        assertFalse(page1.getBoolean("pageInfo.hasPreviousPage"));
        JsonPath page2 = ok(entities(List.of("Person:p_x1"), "... on Person { touches(first: 2, after: \""
                + page1.getString("pageInfo.endCursor") + "\") { " + TOUCHES + " } }"), "_entities[0].touches");
        assertEquals(List.of("x-t1"), page2.getList("edges.node.touchId"));
        assertFalse(page2.getBoolean("pageInfo.hasNextPage"));
        assertTrue(page2.getBoolean("pageInfo.hasPreviousPage"));
        assertEquals(3, page2.getInt("totalCount"));

        // The revenue basis needs a won deal: opp-z1 (open) fails alone, the others are answered.
        JsonPath revenue = graphql(analyst, entities(List.of("Opportunity:opp-x1", "Opportunity:opp-z1", "Opportunity:opp-y1"),
                "... on Opportunity { id journey(model: {name: LINEAR}, basis: REVENUE) { amount touches { touchId } } }"))
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of("x-t1", "x-t2", "x-t3"), revenue.getList("data._entities[0].journey.touches.touchId"));
        assertNull(revenue.get("data._entities[1].journey"));
        assertEquals(List.of("y-t1", "y-t2"), revenue.getList("data._entities[2].journey.touches.touchId"));
        assertEquals(1, revenue.getList("errors").size());
        assertEquals("Opportunity.journey.basis: the revenue basis needs a won opportunity; 'opp-z1' is OPEN",
                revenue.getString("errors[0].message"));
        assertEquals(List.of("_entities", 1, "journey"), revenue.getList("errors[0].path"));

        String opportunity = entities(List.of("Opportunity:opp-x1"), "... on Opportunity { journey(model: {name: %s}) { amount } }");
        graphql(analyst, opportunity.formatted("MARKOV"))
                .body("errors[0].message", containsString("Opportunity.journey.model.name: MARKOV is data-driven"));
        graphql(analyst, opportunity.formatted("CUSTOM"))
                .body("errors[0].message", containsString("Opportunity.journey.model.weights: is required for CUSTOM"));
        String account = entities(List.of("Account:acct-x"), "... on Account { %s }");
        graphql(analyst, account.formatted("timeline(first: 1001) { totalCount }"))
                .body("errors[0].message", containsString("Account.timeline.first: must be between 1 and 1000, was 1001"));
        graphql(analyst, account.formatted("timeline(after: \"bm90LWEtY3Vyc29y\") { totalCount }"))
                .body("errors[0].message", containsString("Account.timeline.after: 'bm90LWEtY3Vyc29y' is not a cursor this API returned"));
        graphql(analyst, account.formatted("credit(period: {from: \"2026-04-01\", to: \"2026-03-01\"}, " + LINEAR + ") { key }"))
                .body("errors[0].message", containsString("Account.credit.period: is reversed"));
        graphql(analyst, account.formatted("credit(" + MARCH + ", model: {name: LINEAR, halfLifeDays: 2}) { key }"))
                .body("errors[0].message", containsString("Account.credit.model.halfLifeDays: applies only to TIME_DECAY"));
        String person = entities(List.of("Person:p_x1"), "... on Person { %s }");
        graphql(analyst, person.formatted("touches(first: 0) { totalCount }"))
                .body("errors[0].message", containsString("Person.touches.first: must be between 1 and 1000, was 0"));
        graphql(analyst, person.formatted("touches(after: \"%%%\") { totalCount }"))
                .body("errors[0].message", containsString("Person.touches.after: '%%%' is not a cursor this API returned"));
        // The entity is only its key; each field checks the role.
        graphql(TestKeys.token(WS, "ingest"), person.formatted("touches { totalCount }"))
                .body("errors[0].message", containsString("needs the role analyst or admin"))
                .body("errors[0].path", org.hamcrest.Matchers.equalTo(List.of("_entities", 0, "touches")));
        graphql(TestKeys.token(WS, "ingest"), account.formatted("engagement { contacts }"))
                .body("errors[0].message", containsString("needs the role analyst or admin"));
    }

    /** A report row's opportunity is the entity: its journey (or a gateway, ingestion's fields) asked in the same query. */
    @Test
    void creditedOpportunitiesNameTheirOpportunity() {
        JsonPath r = ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ") { edges { node { opportunityId opportunity { id"
                + " journey(model: {name: W_SHAPED}) { opportunityId amount touches { touchId } } } } } } }",
                "creditedOpportunities.edges.node");
        assertEquals(List.of("opp-x1", "opp-y1"), r.getList("opportunityId"));
        assertEquals(List.of("opp-x1", "opp-y1"), r.getList("opportunity.id"));
        assertEquals(List.of("opp-x1", "opp-y1"), r.getList("opportunity.journey.opportunityId"));
        assertEquals(List.of("1000.00", "500.00"), r.getList("opportunity.journey.amount"));
        assertEquals(List.of("y-t1", "y-t2"), r.getList("opportunity.journey.touches[1].touchId"));
    }

    /**
     * Batching, measured: the statements the service's PostgreSQL client ran (Vert.x SQL client metrics, Micrometer's
     * postgresql.completed) for a request asking every entity field are the same for one entity of each type as for five
     * or six of each, and are each field's fixed count: journey 3 per set of arguments (settings, the opportunities, their
     * accounts' touches), timeline 3 (touch counts, the page of touches, the opportunities), engagement 4 (touch summary,
     * opportunities, contacts, their persons), credit 3 per set of arguments (settings, the opportunities converting, their
     * accounts' touches), touches 2 (counts, pages). A report row's opportunity costs none; its journeys are one batch.
     */
    @Test
    void aFieldAskedOfManyEntitiesCostsTheStatementsItCostsForOne() {
        loadElsewhereOnce();
        String one = entities(representations(List.of("opp-x1"), List.of("acct-x"), List.of("p_x1")), ENTITY_FIELDS);
        String many = entities(representations(OPPORTUNITIES, ACCOUNTS, PERSONS), ENTITY_FIELDS);
        double before = statements();
        ok(one, "_entities");
        double forOne = statements() - before;
        before = statements();
        JsonPath r = ok(many, "_entities");
        double forMany = statements() - before;
        assertEquals(2 * 3 + 3 + 4 + 2 * 3 + 2, forOne, "one entity of each type");
        assertEquals(forOne, forMany, "five or six entities of each type");
        assertEquals(16, r.getList("__typename").size());

        // A report's rows and their opportunities' journeys: the journeys cost one batch whatever the rows. Asked once first,
        // so that both counts find the workspace's journeys in memory (run alone, the first would also read them).
        ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ") { totalCount } }", "creditedOpportunities");
        before = statements();
        ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ") { totalCount } }", "creditedOpportunities");
        double rows = statements() - before;
        before = statements();
        JsonPath withJourneys = ok("{ creditedOpportunities(" + MARCH + ", " + LINEAR + ") { edges { node { opportunity {"
                + " journey(model: {name: LINEAR}) { amount } } } } } }", "creditedOpportunities.edges");
        assertEquals(List.of("1000.00", "500.00"), withJourneys.getList("node.opportunity.journey.amount"));
        assertEquals(rows + 3, statements() - before, "two rows, one journey batch");
    }

    /** Statements the service's reactive PostgreSQL client has completed so far. */
    private static double statements() {
        io.micrometer.core.instrument.Counter completed = io.micrometer.core.instrument.Metrics.globalRegistry
                .find("postgresql.completed").tag("clientType", "sql").counter();
        assertNotNull(completed, "the SQL client's metrics (quarkus-micrometer's Vert.x binder)");
        return completed.count();
    }

    /**
     * attribution's part of the federated entities, as other subgraphs rely on it (DESIGN §9): exactly these fields,
     * arguments and types (descriptions and the order of arguments aside).
     */
    @Test
    void subgraphSdlDefinesTheEntitiesAsAgreed() {
        String sdl = graphql(TestKeys.token(WS, "analyst"), "{ _service { sdl } }").statusCode(200).extract()
                .path("data._service.sdl");
        String agreed = """
                type Opportunity @key(fields: "id") {
                  id: ID!
                  journey(model: ModelInput!, basis: Basis = PIPELINE): OpportunityJourney
                }
                type Account @key(fields: "id") {
                  id: ID!
                  timeline(first: Int, after: String): TimelineEntryConnection!
                  engagement: AccountEngagement!
                  credit(period: PeriodInput!, model: ModelInput!, basis: Basis = PIPELINE, groupBy: Dimension = CHANNEL): [AccountCredit!]!
                }
                type Person @key(fields: "id") {
                  id: ID!
                  touches(first: Int, after: String): PersonTouchConnection!
                }
                type AccountEngagement {
                  contacts: Int!
                  contactsReached: Int!
                  buyingCommitteeCoverage: Float
                  engagementVelocityDays: Float
                }
                type AccountCredit {
                  key: String
                  credit: Float!
                  amount: Money!
                }
                type PersonTouchConnection {
                  edges: [PersonTouchEdge!]!
                  pageInfo: PageInfo!
                  totalCount: Int!
                }
                type PersonTouchEdge {
                  cursor: String!
                  node: QualityTouch!
                }
                type QualityTouch {
                  touchId: String!
                  occurredAt: String!
                  touchType: TouchType
                  channel: String
                  source: String
                  medium: String
                  campaign: String
                  content: String
                }
                """;
        Map<String, String> published = typeShapes(sdl);
        typeShapes(agreed).forEach((type, shape) -> assertEquals(shape, published.get(type), type));
        assertTrue(published.get("CreditedOpportunity").contains("opportunity: Opportunity!"), published.get("CreditedOpportunity"));
        assertTrue(published.get("CreditedOpportunity").contains("opportunityId: String!"), published.get("CreditedOpportunity"));
        assertTrue(sdl.contains("union _Entity = Account | Opportunity | Person"), sdl);
        // The entity lookups are the subgraph's, not the supergraph's API.
        for (String lookup : List.of("attributionOpportunities(id: [String!]!): [Opportunity]! @inaccessible",
                "attributionAccounts(id: [String!]!): [Account]! @inaccessible",
                "attributionPersons(id: [String!]!): [Person]! @inaccessible")) {
            assertTrue(published.get("Query").contains(lookup), lookup + " in " + published.get("Query"));
        }
    }

    /** Each object type of {@code sdl} as one line: its directives, then its fields sorted, each one's arguments sorted. */
    private static Map<String, String> typeShapes(String sdl) {
        Map<String, String> out = new java.util.HashMap<>();
        graphql.language.Document document = graphql.parser.Parser.parse(sdl);
        for (graphql.language.ObjectTypeDefinition type : document.getDefinitionsOfType(graphql.language.ObjectTypeDefinition.class)) {
            List<String> fields = new java.util.ArrayList<>();
            for (graphql.language.FieldDefinition f : type.getFieldDefinitions()) {
                List<String> arguments = new java.util.ArrayList<>();
                for (graphql.language.InputValueDefinition a : f.getInputValueDefinitions()) {
                    arguments.add(a.getName() + ": " + graphql.language.AstPrinter.printAst(a.getType())
                            + (a.getDefaultValue() == null ? "" : " = " + graphql.language.AstPrinter.printAst(a.getDefaultValue())));
                }
                java.util.Collections.sort(arguments);
                StringBuilder field = new StringBuilder(f.getName() + (arguments.isEmpty() ? "" : "(" + String.join(", ", arguments)
                        + ")") + ": " + graphql.language.AstPrinter.printAst(f.getType()));
                f.getDirectives().forEach(d -> field.append(" ").append(graphql.language.AstPrinter.printAst(d)));
                fields.add(field.toString());
            }
            java.util.Collections.sort(fields);
            List<String> directives = type.getDirectives().stream().map(d -> graphql.language.AstPrinter.printAst(d)
                    .replace(" :", ":")).toList();
            out.put(type.getName(), String.join(" ", directives) + " { " + String.join("; ", fields) + " }");
        }
        return out;
    }

    @Test
    void marketingTouchTypesAreConfigurableAndChangeSourcedInfluenced() {
        String admin = TestKeys.token("reports-settings", "admin");
        // An unknown touch type is no value of the TouchType enum: refused by GraphQL validation, nothing stored.
        graphql(admin, "mutation { updateMarketingTouchTypes(types: [BOGUS]) }")
                .body("errors[0].message", containsString("BOGUS"))
                .body("data", org.hamcrest.Matchers.nullValue());
        graphql(admin, "mutation { updateMarketingTouchTypes(types: [SALES_OUTREACH, SALES_OUTREACH]) }")
                .body("data.updateMarketingTouchTypes", org.hamcrest.Matchers.equalTo(List.of("SALES_OUTREACH")));
        graphql(admin, "{ marketingTouchTypes }")
                .body("data.marketingTouchTypes", org.hamcrest.Matchers.equalTo(List.of("SALES_OUTREACH")));
        graphql(TestKeys.token("reports-settings", "analyst"), "mutation { updateMarketingTouchTypes(types: [EVENT]) }")
                .body("errors[0].message", containsString("admin"));
    }

    @Test
    void argumentErrorsNameTheOperationAndField() {
        String analyst = TestKeys.token(WS, "analyst");
        graphql(analyst, "{ performance(period: {from: \"2026-04-01\", to: \"2026-03-01\"}, " + LINEAR + ") { basis } }")
                .body("errors[0].message", containsString("performance.period: is reversed"));
        // An unknown model is no value of the ModelName enum: refused by GraphQL validation.
        graphql(analyst, "{ performance(" + MARCH + ", model: {name: NOPE}) { basis } }")
                .body("errors[0].message", containsString("NOPE"))
                .body("data", org.hamcrest.Matchers.nullValue());
        graphql(analyst, "{ performance(" + MARCH + ", model: {name: CUSTOM}) { basis } }")
                .body("errors[0].message", containsString("performance.model.weights: is required for CUSTOM"));
        graphql(analyst, "{ creditedOpportunities(" + MARCH + ", " + LINEAR + ", first: 5000) { totalCount } }")
                .body("errors[0].message", containsString("creditedOpportunities.first: must be between 1 and 1000, was 5000"));
        graphql(analyst, "{ dataQualityTouches(" + MARCH + ", problem: NO_PERSON, first: 0) { totalCount } }")
                .body("errors[0].message", containsString("dataQualityTouches.first: must be between 1 and 1000, was 0"));
        graphql(analyst, "{ pipelineInfluence(" + MARCH + ", windowDays: 0) { totalCount } }")
                .body("errors[0].message", containsString("pipelineInfluence.windowDays: must be 1 to 3650"));
        // An unknown cohort is no value of the CohortGranularity enum: refused by GraphQL validation.
        graphql(analyst, "{ cohortLtv(" + MARCH + ", cohort: WEEK) { cohort } }")
                .body("errors[0].message", containsString("WEEK"))
                .body("data", org.hamcrest.Matchers.nullValue());
        graphql(TestKeys.token(WS, "ingest"), "{ dataQuality(" + MARCH + ") { touches } }")
                .body("errors[0].message", containsString("needs the role analyst or admin"));
    }

    @Test
    void anotherWorkspaceSeesNoneOfIt() {
        JsonPath r = ok("other-reports", "{ performance(" + MARCH + ", " + LINEAR + ") { currency rows { totalCount edges { node {"
                + " key } } } totals { spend revenue } } }", "performance");
        assertEquals(List.of(), r.getList("rows.edges"));
        assertEquals(0, r.getInt("rows.totalCount"));
        assertNull(r.get("currency"));
        assertEquals("0.00", r.getString("totals.spend"));
    }

    private static void assertRow(JsonPath r, String key, double credit, double amount, double opportunities, double spend,
                                  double pipelineOpportunities, double pipeline, double wonDeals, double revenue,
                                  double newCustomers, Double roi, Double roas, Double cac, Double costPerOpportunity,
                                  Double averageDealSize, Double conversionRate, Double median) {
        List<String> keys = r.getList("rows.edges.node.key");
        int i = keys.indexOf(key);
        assertFigures(r.setRootPath("data.performance.rows.edges[" + i + "].node"), credit, amount, opportunities, spend,
                pipelineOpportunities, pipeline, wonDeals, revenue, newCustomers, roi, roas, cac, costPerOpportunity,
                averageDealSize, conversionRate, median);
        r.setRootPath("data.performance");
    }

    private static void assertFigures(JsonPath row, double credit, double amount, double opportunities, double spend,
                                      double pipelineOpportunities, double pipeline, double wonDeals, double revenue,
                                      double newCustomers, Double roi, Double roas, Double cac, Double costPerOpportunity,
                                      Double averageDealSize, Double conversionRate, Double median) {
        String key = row.getString("key");
        assertEquals(credit, row.getDouble("credit"), 1e-9, key + " credit");
        // Amounts are money: within one minor unit of the exact share (rounded so the rows add up to the totals).
        assertEquals(amount, row.getDouble("amount"), 0.01, key + " amount");
        assertEquals(opportunities, row.getDouble("opportunities"), 1e-9, key + " opportunities");
        assertEquals(spend, row.getDouble("spend"), 0.005, key + " spend");
        assertEquals(pipelineOpportunities, row.getDouble("pipelineOpportunities"), 1e-9, key + " pipelineOpportunities");
        assertEquals(pipeline, row.getDouble("pipeline"), 0.01, key + " pipeline");
        assertEquals(wonDeals, row.getDouble("wonDeals"), 1e-9, key + " wonDeals");
        assertEquals(revenue, row.getDouble("revenue"), 0.01, key + " revenue");
        assertEquals(newCustomers, row.getDouble("newCustomers"), 1e-9, key + " newCustomers");
        assertNullable(roi, row, "roi");
        assertNullable(roas, row, "roas");
        assertNullable(cac, row, "cac", 0.005);
        assertNullable(costPerOpportunity, row, "costPerOpportunity", 0.005);
        assertNullable(averageDealSize, row, "averageDealSize", 0.005);
        assertNullable(conversionRate, row, "conversionRate");
        assertNullable(median, row, "medianDaysToConversion");
    }

    private static void assertNullable(Double expected, JsonPath row, String field) {
        assertNullable(expected, row, field, 1e-6);
    }

    private static void assertNullable(Double expected, JsonPath row, String field, double tolerance) {
        if (expected == null) {
            assertNull(row.get(field), row.getString("key") + " " + field);
        } else {
            assertEquals(expected, row.getDouble(field), tolerance, row.getString("key") + " " + field);
        }
    }

    private long count(String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    private static double value(JsonPath r, String key, String field) {
        int i = r.getList("rows.edges.node.key").indexOf(key);
        return r.getDouble("rows.edges[" + i + "].node." + field);
    }

    private static void assertSourced(JsonPath r, String key, int sourced, double sourcedAmount, int influenced,
                                      double influencedAmount) {
        assertEquals(sourced, (int) value(r, key, "sourcedCount"), key);
        assertEquals(sourcedAmount, value(r, key, "sourcedAmount"), 1e-9, key);
        assertEquals(influenced, (int) value(r, key, "influencedCount"), key);
        assertEquals(influencedAmount, value(r, key, "influencedAmount"), 1e-9, key);
    }

    private static JsonPath ok(String query, String field) {
        return ok(WS, query, field);
    }

    private static JsonPath ok(String workspace, String query, String field) {
        String body = graphql(TestKeys.token(workspace, "analyst"), query).statusCode(200).extract().asString();
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        return json.setRootPath(field.isEmpty() ? "data" : "data." + field);
    }

    private static FeedItem touch(long seq, String id, String at, String type, String channel, String source, String medium,
                                  String campaign, Boolean utmValid, String anonymousId) {
        return touch(WS, seq, id, at, type, channel, source, medium, campaign, utmValid, anonymousId);
    }

    private static FeedItem touch(String ws, long seq, String id, String at, String type, String channel, String source,
                                  String medium, String campaign, Boolean utmValid, String anonymousId) {
        return new FeedItem(seq, ws, "touch", new JsonObject().put("id", id).put("occurredAt", at).put("type", type)
                .put("identifiers", new JsonArray().add(new JsonObject().put("type", "anonymous_id").put("value", anonymousId)))
                .put("channel", channel).put("source", source).put("medium", medium).put("campaign", campaign)
                .put("content", null).put("utmValid", utmValid));
    }

    private static FeedItem membership(long seq, String type, String value, String person, String account) {
        return membership(WS, seq, type, value, person, account);
    }

    private static FeedItem membership(String ws, long seq, String type, String value, String person, String account) {
        return new FeedItem(seq, ws, "membership", new JsonObject()
                .put("identifier", new JsonObject().put("type", type).put("value", value))
                .put("personId", person).put("accountId", account));
    }

    private static FeedItem contact(long seq, String id, String account) {
        return new FeedItem(seq, WS, "contact", new JsonObject().put("id", id).put("accountId", account)
                .put("createdAt", "2026-01-01T00:00:00Z").put("leadCreatedAt", null));
    }

    private static JsonObject role(String contact, String role) {
        return new JsonObject().put("contactId", contact).put("role", role);
    }

    private static JsonObject stage(String stage, String at) {
        return new JsonObject().put("stage", stage).put("enteredAt", at);
    }

    private static FeedItem opportunity(long seq, String id, String account, String amount, String created, String status,
                                        String closed, JsonArray roles, JsonArray stages) {
        return opportunity(WS, seq, id, account, amount, created, status, closed, roles, stages);
    }

    private static FeedItem opportunity(String ws, long seq, String id, String account, String amount, String created,
                                        String status, String closed, JsonArray roles, JsonArray stages) {
        return new FeedItem(seq, ws, "opportunity", new JsonObject().put("id", id).put("accountId", account)
                .put("amount", amount).put("currency", "USD").put("createdAt", created).put("stage", status)
                .put("status", status).put("closedAt", closed).put("contactRoles", roles).put("stageHistory", stages));
    }

    private static FeedItem spend(long seq, String day, String channel, String source, String medium, String campaign, String amount) {
        return new FeedItem(seq, WS, "spend", new JsonObject().put("id", day + "|" + channel + "|" + source + "|" + medium + "|" + campaign)
                .put("date", day).put("channel", channel).put("source", source).put("medium", medium)
                .put("campaign", campaign).put("amount", amount).put("currency", "USD"));
    }

    private static FeedItem revenue(long seq, String id, String account, String amount, String at) {
        return new FeedItem(seq, WS, "revenue", new JsonObject().put("id", id).put("accountId", account)
                .put("opportunityId", null).put("amount", amount).put("currency", "USD").put("occurredAt", at));
    }
}
