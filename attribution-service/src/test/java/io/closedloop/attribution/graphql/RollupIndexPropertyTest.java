package io.closedloop.attribution.graphql;

import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.attribution.service.IncrementalRollups;
import io.closedloop.attribution.service.ReportFeedApply;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedConsumer.PageHandler;
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
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 20's equality property: the performance report answered from the rollups' running sums (RollupIndex: a full
 * recompute's parts, more than one per partition as a recompute bounded in memory writes them, plus the deltas of later pages, the won deals' medians, the spend) equals the same report computed on
 * demand from the journey tables, for 200 random questions (period, standard model or custom weights, grouping, basis),
 * every figure within a relative 1e-9. A seeded dataset of 40 accounts over six months, applied through the feed handlers
 * the consumers use, recomputed, then changed by more pages (so the deltas sit on top of the parts).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class RollupIndexPropertyTest {

    private static final String WS = "rollup-index";
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final String[] TYPES = {"PAGE_VIEW", "AD_CLICK", "EMAIL_CLICK", "FORM_FILL", "WEBINAR"};
    private static final String[] CHANNELS = {"paid_search", "email", "organic_search", "paid_social", "direct"};
    private static final String[] MODELS = {"FIRST_TOUCH", "LAST_TOUCH", "LAST_NON_DIRECT", "LINEAR", "TIME_DECAY", "U_SHAPED",
            "W_SHAPED", "FULL_PATH", "J_SHAPED", "INVERSE_J"};
    private static final String[] GROUPINGS = {"CHANNEL", "SOURCE", "MEDIUM", "CAMPAIGN", "CONTENT", "TOUCH_TYPE"};
    private static final String ROW = "key credit amount opportunities spend pipelineOpportunities pipeline wonDeals revenue"
            + " newCustomers roi roas cac costPerOpportunity averageDealSize conversionRate medianDaysToConversion";

    @Inject
    FeedApplyService apply;

    @Inject
    IncrementalRollups incremental;

    @Inject
    ReportFeedApply reportFeeds;

    @Inject
    Pool pool;

    private long seq;

    @Test
    void everyPerformanceReportFromTheRollupsEqualsItsOnDemandComputation() throws Exception {
        Random random = new Random(20);
        load(random, 0, 40);
        String admin = TestKeys.token(WS, "admin");
        graphql(admin, "mutation { recomputeRollups { generation } }").statusCode(200);
        awaitRecompute();
        // The test profile bounds a partition's sums at 256 KB: some partition wrote them out and started over.
        assertTrue(pool.query("select count(*) from rollup_series s where workspace_id = '" + WS + "' and part >= (select max(partitions)"
                + " from recompute_partition p where p.workspace_id = s.workspace_id and p.generation = s.generation)").execute()
                .await().indefinitely().iterator().next().getLong(0) > 0, "the recompute's sums written in more parts than partitions");
        // Pages after the recompute: new accounts, and deals of the first ones won or restated.
        load(random, 40, 50);
        page(incremental.crm(apply::applyCrm), List.of(
                opportunity("opp-0-0", "acct-0", "777.77", day(40), "WON", day(60)),
                opportunity("opp-1-0", "acct-1", "1234.56", day(20), "LOST", day(30))));
        assertTrue(deltaRows() > 0, "deltas on top of the recompute's parts");
        // Else both sides would be computed on demand and could not differ.
        assertTrue(pool.query("select ready and not catching_up from rollup_state where workspace_id = '" + WS + "'").execute()
                .await().indefinitely().iterator().next().getBoolean(0), "the rollups answer");
        for (int q = 0; q < 200; q++) {
            int length = 1 + random.nextInt(200);
            LocalDate from = START.plusDays(random.nextInt(200) - 20);
            String period = "period: {from: \"" + from + "\", to: \"" + from.plusDays(length) + "\"}";
            String model = random.nextInt(11) == 10
                    ? "name: CUSTOM, weights: {ft: 0.3, lc: 0.2, oc: 0.1, cw: 0.15, middle: 0.25}"
                    : "name: " + MODELS[random.nextInt(MODELS.length)];
            String rest = ", groupBy: " + GROUPINGS[random.nextInt(GROUPINGS.length)] + ", basis: "
                    + (random.nextBoolean() ? "PIPELINE" : "REVENUE") + ", first: 200) { rows { totalCount edges { node { "
                    + ROW + " } } } totals { " + ROW + " unattributed { count amount } } } }";
            JsonPath fromRollups = ok("{ performance(" + period + ", model: {" + model + "}" + rest);
            // Another lookback than the workspace's 365 days is not what the rollups hold: computed on demand (the data spans
            // half a year, so the journeys are the same).
            JsonPath onDemand = ok("{ performance(" + period + ", model: {" + model + ", lookbackDays: 366}" + rest);
            try {
                assertSame(byKey(onDemand.get("data.performance")), byKey(fromRollups.get("data.performance")), "question " + q);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + period + " " + model + rest + "\non demand: "
                        + onDemand.prettify() + "\nfrom the rollups: " + fromRollups.prettify(), e);
            }
        }
    }

    /**
     * The report with its rows by key: rows are ordered by their amounts rounded to cents, and keys whose exact amounts tie
     * (four campaigns with 391.225 each) share the odd cents by remainders that summation order decides.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> byKey(Map<String, Object> performance) {
        Map<String, Object> out = new java.util.HashMap<>(performance);
        Map<String, Object> rows = new java.util.HashMap<>((Map<String, Object>) performance.get("rows"));
        Map<String, Object> nodes = new java.util.TreeMap<>();
        for (Map<String, Object> edge : (List<Map<String, Object>>) rows.remove("edges")) {
            Map<String, Object> node = (Map<String, Object>) edge.get("node");
            nodes.put(String.valueOf(node.get("key")), node);
        }
        rows.put("byKey", nodes);
        out.put("rows", rows);
        return out;
    }

    /** Equal, numbers (and decimal strings) within a relative 1e-9. */
    @SuppressWarnings("unchecked")
    private static void assertSame(Object expected, Object actual, String where) {
        if (expected instanceof Map<?, ?> e) {
            assertTrue(actual instanceof Map<?, ?>, where);
            Map<String, Object> a = (Map<String, Object>) actual;
            assertEquals(e.keySet(), a.keySet(), where);
            e.forEach((k, v) -> assertSame(v, a.get(k), where + "." + k));
        } else if (expected instanceof List<?> e) {
            List<Object> a = (List<Object>) actual;
            assertEquals(e.size(), a.size(), where + " size");
            for (int i = 0; i < e.size(); i++) {
                assertSame(e.get(i), a.get(i), where + "[" + i + "]");
            }
        } else if (expected instanceof Number || isDecimal(expected)) {
            double e = Double.parseDouble(expected.toString());
            double a = Double.parseDouble(String.valueOf(actual));
            // Money is rounded to cents once: a figure a rounding apart counts as equal.
            double tolerance = Math.max(1e-9 * Math.abs(e), expected instanceof String ? 0.0100001 : 1e-9);
            if (Math.abs(e - a) > tolerance) {
                fail(where + ": expected " + expected + " but was " + actual);
            }
        } else {
            assertEquals(expected, actual, where);
        }
    }

    private static boolean isDecimal(Object value) {
        return value instanceof String s && s.matches("-?\\d+(\\.\\d+)?");
    }

    /** Accounts [first, end): identifiers, touches over six months, a contact, 0-2 opportunities; spend per day. */
    private void load(Random random, int first, int end) {
        List<FeedItem> touches = new ArrayList<>();
        List<FeedItem> memberships = new ArrayList<>();
        List<FeedItem> crm = new ArrayList<>();
        List<FeedItem> spend = new ArrayList<>();
        for (int a = first; a < end; a++) {
            String account = "acct-" + a;
            int identifiers = 1 + random.nextInt(2);
            for (int i = 0; i < identifiers; i++) {
                String id = "v" + a + "-" + i;
                memberships.add(item("membership", new JsonObject().put("identifier", new JsonObject().put("type", "anonymous_id")
                        .put("value", id)).put("personId", "p" + a).put("accountId", account)));
                int n = 2 + random.nextInt(10);
                for (int t = 0; t < n; t++) {
                    int c = random.nextInt(CHANNELS.length);
                    touches.add(item("touch", new JsonObject().put("id", "t" + a + "-" + i + "-" + t)
                            .put("occurredAt", day(random.nextInt(180)).replace("T00", "T" + (10 + random.nextInt(10))))
                            .put("type", TYPES[random.nextInt(TYPES.length)])
                            .put("identifiers", new JsonArray().add(new JsonObject().put("type", "anonymous_id").put("value", id)))
                            .put("channel", CHANNELS[c]).put("source", "src" + random.nextInt(4)).put("medium", "m" + c)
                            .put("campaign", random.nextInt(5) == 0 ? null : "campaign " + random.nextInt(12))
                            .put("content", "content " + random.nextInt(20))));
                }
            }
            crm.add(item("contact", new JsonObject().put("id", "c" + a).put("accountId", account).put("email", "c" + a + "@example.com")
                    .put("createdAt", day(random.nextInt(60))).put("leadCreatedAt", day(random.nextInt(60)))));
            int opportunities = random.nextInt(3);
            for (int o = 0; o < opportunities; o++) {
                int created = 20 + random.nextInt(150);
                int status = random.nextInt(3);
                crm.add(opportunity("opp-" + a + "-" + o, account, (100 + random.nextInt(5000)) + "." + random.nextInt(10) + "5",
                        day(created), new String[] {"WON", "LOST", "OPEN"}[status], status == 2 ? null : day(created + 1 + random.nextInt(40))));
            }
        }
        for (int d = 0; d < 180; d += 1 + random.nextInt(3)) {
            int c = random.nextInt(4);
            String campaign = random.nextBoolean() ? null : "campaign " + random.nextInt(12);
            spend.add(item("spend", new JsonObject().put("id", "s" + first + "-" + d).put("date", START.plusDays(d).toString())
                    .put("channel", CHANNELS[c]).put("source", "src" + random.nextInt(4)).put("medium", "m" + c)
                    .put("campaign", campaign).put("amount", (10 + random.nextInt(500)) + ".25").put("currency", "USD")));
        }
        page(incremental.crm(apply::applyCrm), crm);
        page(incremental.touches(apply::applyTouches), touches);
        page(incremental.memberships(apply::applyMemberships), memberships);
        pool.withTransaction(tx -> reportFeeds.applySpend(tx, spend)).await().indefinitely();
    }

    private FeedItem opportunity(String id, String account, String amount, String created, String status, String closed) {
        return item("opportunity", new JsonObject().put("id", id).put("accountId", account).put("amount", amount)
                .put("currency", "USD").put("createdAt", created).put("stage", status).put("status", status).put("closedAt", closed)
                .put("contactRoles", new JsonArray()).put("stageHistory", new JsonArray()));
    }

    private FeedItem item(String type, JsonObject payload) {
        return new FeedItem(++seq, WS, type, payload);
    }

    private static String day(int offset) {
        return START.plusDays(offset).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    }

    private void page(PageHandler handler, List<FeedItem> items) {
        pool.withTransaction(tx -> handler.apply(tx, items)).await().indefinitely();
    }

    private long deltaRows() {
        return pool.query("select count(*) from credit_rollup where workspace_id = '" + WS + "' and part = -1").execute().await()
                .indefinitely().iterator().next().getLong(0);
    }

    private static void awaitRecompute() throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            JsonPath progress = ok("{ rollupRecompute { state ready } }");
            if ("DONE".equals(progress.getString("data.rollupRecompute.state")) && progress.getBoolean("data.rollupRecompute.ready")) {
                return;
            }
            Thread.sleep(100);
        }
        fail("the recompute did not finish");
    }

    private static JsonPath ok(String query) {
        String body = graphql(TestKeys.token(WS, "admin"), query).statusCode(200).extract().asString();
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        return json;
    }
}
