package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard in headless Chromium against the whole system loaded with a small dataset through
 * ingestion's public APIs: every panel renders without error, and every chart, table and figure
 * shows exactly the numbers the public GraphQL API returns for the same arguments.
 */
class DashboardBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORKSPACE = "dash";
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final int DAYS = 150;
    /** Covers every touch, opportunity, close and invoice of the dataset (the last invoice is about 240 days after START). */
    private static final String FROM = START.toString();
    private static final String TO = START.plusDays(300).toString();
    private static final String PERIOD = "{from: \"" + FROM + "\", to: \"" + TO + "\"}";

    static RunningSystem running;
    static String analystToken;
    static Dataset dataset;

    @BeforeAll
    static void startAndLoad() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(chromium)) {
            throw new IllegalStateException("Chromium is missing at " + chromium + ": install Debian's 'chromium' package "
                    + "(./closedloop test does) or set CHROMIUM; the dashboard's browser test needs it");
        }
        running = RunningSystem.start();
        String writeKey = running.graphql(ServiceName.INGESTION, running.token(WORKSPACE, "admin"),
                        "mutation { createWriteKey(name: \"browser-test\") { key } }")
                .statusCode(200).extract().path("data.createWriteKey.key");
        dataset = new Dataset(7, new Dataset.Size(24, 3, 6, 1.0), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        new DemoLoader(running.url(ServiceName.INGESTION), writeKey).load(dataset, running.token(WORKSPACE, "ingest"));
        analystToken = running.token(WORKSPACE, "analyst");
        awaitAttribution();
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void everyChartShowsTheNumbersTheApiReturns() throws Exception {
        JsonNode page = openDashboard("LINEAR", "PIPELINE");
        JsonNode panels = page.path("panels");
        for (String panel : List.of("performance", "comparison", "sourced", "pipeline", "cohorts", "quality")) {
            assertEquals("ok", panels.path(panel).path("state").asText(), panel + " panel: " + panels.path(panel).path("error").asText());
        }
        assertFalse(page.path("location").asText().contains("token="), "the token is removed from the address bar");
        assertTrue(page.path("tokenStored").asBoolean(), "the token is kept in sessionStorage");
        for (JsonNode message : page.path("console")) {
            assertFalse(message.asText().contains(analystToken), "the token is never logged");
        }
        assertEquals(0, page.path("failedRequests").size(), "failed requests: " + page.path("failedRequests"));

        // Performance: spend vs revenue, ROI, and the table of every metric, rows then totals.
        String rowFields = "key credit amount opportunities spend pipeline wonDeals revenue roi roas cac costPerOpportunity "
                + "averageDealSize conversionRate medianDaysToConversion";
        JsonNode performance = api("{ performance(period: " + PERIOD + ", model: {name: LINEAR}, basis: PIPELINE, groupBy: CHANNEL, first: 100) "
                + "{ rows { edges { node { " + rowFields + " } } } totals { " + rowFields + " unattributed { count amount } } } }")
                .path("performance");
        JsonNode rows = nodes(performance.path("rows"));
        assertTrue(rows.size() >= 3, "several channels have credit: " + rows);
        JsonNode perf = panels.path("performance");
        assertChart(perf.path("charts").path("chart-spend-revenue"), keys(rows), Map.of("spend", column(rows, "spend"), "revenue", column(rows, "revenue")));
        assertChart(perf.path("charts").path("chart-roi"), keys(rows), Map.of("roi", column(rows, "roi")));
        List<JsonNode> expectedRows = new ArrayList<>();
        rows.forEach(expectedRows::add);
        expectedRows.add(((ObjectNode) performance.path("totals").deepCopy()).put("key", "Total"));
        assertRows(perf.path("rows"), expectedRows, rowFields.split(" "));
        // Where the rest of the pipeline went: the deals no touch is credited for, as the API counts them.
        JsonNode unattributed = performance.path("totals").path("unattributed");
        assertEquals(unattributed.path("count").asDouble(), perf.path("stats").path("unattributed.count").asDouble(), 1e-9, perf.toString());
        assertEquals(unattributed.path("amount").asText(), perf.path("stats").path("unattributed.amount").asText());
        // The spend shown is the dataset's spend in the period, as sent through ingestion.
        long spendCents = dataset.spend().stream().filter(s -> !s.date().isBefore(START) && !s.date().isAfter(LocalDate.parse(TO)))
                .mapToLong(Dataset.Spend::amountCents).sum();
        assertEquals(spendCents / 100.0, sum(perf.path("charts").path("chart-spend-revenue").path("datasets").path("spend")), 0.01);

        // Model comparison: one dataset per model, the attributed amounts per channel.
        JsonNode comparison = api("{ modelComparison(period: " + PERIOD + ", models: [{name: FIRST_TOUCH}, {name: LAST_TOUCH}, "
                + "{name: LINEAR}, {name: TIME_DECAY}, {name: W_SHAPED}], basis: PIPELINE, groupBy: CHANNEL, first: 100) "
                + "{ models rows { edges { node { key amounts } } } } }").path("modelComparison");
        JsonNode comparisonRows = nodes(comparison.path("rows"));
        Map<String, List<Double>> byModel = new LinkedHashMap<>();
        for (int m = 0; m < comparison.path("models").size(); m++) {
            List<Double> amounts = new ArrayList<>();
            for (JsonNode row : comparisonRows) {
                amounts.add(row.path("amounts").path(m).asDouble());
            }
            byModel.put(comparison.path("models").path(m).asText(), amounts);
        }
        assertEquals(5, byModel.size());
        assertChart(panels.path("comparison").path("charts").path("chart-comparison"), keys(comparisonRows), byModel);

        // Sourced vs influenced.
        JsonNode sourced = api("{ sourcedInfluenced(period: " + PERIOD + ", groupBy: CHANNEL, first: 100) { rows { edges { node { key"
                + " sourcedAmount influencedAmount } } } totals { sourcedCount sourcedAmount influencedCount influencedAmount } } }")
                .path("sourcedInfluenced");
        JsonNode sourcedRows = nodes(sourced.path("rows"));
        assertChart(panels.path("sourced").path("charts").path("chart-sourced"), keys(sourcedRows),
                Map.of("sourcedAmount", column(sourcedRows, "sourcedAmount"), "influencedAmount", column(sourcedRows, "influencedAmount")));
        assertStats(panels.path("sourced").path("stats"), sourced.path("totals"));

        // Pipeline influence (90-day window, the page's default).
        JsonNode influence = api("{ pipelineInfluence(period: " + PERIOD + ", windowDays: 90) { totalCount totalAmount influencedCount "
                + "influencedAmount countShare amountShare } }").path("pipelineInfluence");
        assertTrue(influence.path("totalCount").asInt() > 0, "pipeline in the period: " + influence);
        assertStats(panels.path("pipeline").path("stats"), influence);
        assertChart(panels.path("pipeline").path("charts").path("chart-pipeline"), List.of("influenced", "not influenced"),
                Map.of("amount", List.of(influence.path("influencedAmount").asDouble(),
                        influence.path("totalAmount").asDouble() - influence.path("influencedAmount").asDouble())));

        // Cohort LTV heat map: every cell of every cohort and channel.
        JsonNode cohorts = api("{ cohortLtv(period: " + PERIOD + ", cohort: QUARTER, periods: 4) { rows { cohort channel customers "
                + "revenuePerCustomer ltv cac ltvToCac } } }").path("cohortLtv").path("rows");
        assertTrue(cohorts.size() > 0, "won deals make cohorts");
        JsonNode heat = panels.path("cohorts").path("rows");
        assertEquals(cohorts.size(), heat.size(), "one heat-map row per cohort and channel");
        for (int i = 0; i < cohorts.size(); i++) {
            JsonNode expected = cohorts.path(i);
            JsonNode shown = heat.path(i);
            assertEquals(expected.path("cohort").asText(), shown.path("cohort").asText());
            assertEquals(expected.path("channel"), shown.path("channel"));
            for (String field : List.of("customers", "ltv", "cac", "ltvToCac")) {
                assertNumber(expected.path(field), shown.path(field), "cohort " + i + " " + field);
            }
            for (int p = 0; p < expected.path("revenuePerCustomer").size(); p++) {
                assertNumber(expected.path("revenuePerCustomer").path(p), shown.path("revenuePerCustomer." + p), "cohort " + i + " +" + p);
            }
        }

        // Data quality.
        JsonNode quality = api("{ dataQuality(period: " + PERIOD + ") { touches validUtmShare personShare accountShare revenueWithTouchShare "
                + "touchesPerConversion opportunitiesWithoutContactRoles unmappedCampaigns } }").path("dataQuality");
        assertTrue(quality.path("touches").asInt() > 0);
        JsonNode shownQuality = panels.path("quality");
        assertEquals(quality.path("unmappedCampaigns"), shownQuality.path("unmappedCampaigns"));
        assertStats(shownQuality.path("stats"), ((ObjectNode) quality.deepCopy()).without("unmappedCampaigns"));
        // Clicking the invalid-UTM figure lists the touches behind it, as the API gives them.
        JsonNode invalid = nodes(api("{ dataQualityTouches(period: " + PERIOD + ", problem: INVALID_UTM, first: 100) { edges { node {"
                + " touchId } } } }").path("dataQualityTouches"));
        List<String> expectedTouches = new ArrayList<>();
        invalid.forEach(t -> expectedTouches.add(t.path("touchId").asText()));
        assertTrue(!expectedTouches.isEmpty(), "the dataset plants touches with invalid UTMs");
        List<String> shownTouches = new ArrayList<>();
        page.path("qualityTouches").forEach(t -> shownTouches.add(t.asText()));
        assertEquals(expectedTouches, shownTouches);
    }

    @Test
    void theModelPickerChangesWhatThePerformanceChartsShow() throws Exception {
        JsonNode page = openDashboard("FIRST_TOUCH", "REVENUE");
        JsonNode perf = page.path("panels").path("performance");
        assertEquals("ok", perf.path("state").asText(), perf.path("error").asText());
        JsonNode rows = api("{ performance(period: " + PERIOD + ", model: {name: FIRST_TOUCH}, basis: REVENUE, groupBy: CHANNEL, first: 100) "
                + "{ rows { edges { node { key credit amount revenue spend } } } totals { credit amount revenue spend } } }")
                .path("performance");
        List<JsonNode> expected = listOf(nodes(rows.path("rows")));
        expected.add(((ObjectNode) rows.path("totals").deepCopy()).put("key", "Total"));
        assertRows(perf.path("rows"), expected, new String[] {"key", "credit", "amount", "revenue", "spend"});
    }

    @Test
    void aPanelWhoseQueryFailsShowsTheErrorAndTheOthersStillRender() throws Exception {
        // A negative half-life is refused by the gateway: the panels using the model say why; the others render.
        JsonNode page = run(dashboardUrl(analystToken, "TIME_DECAY", "PIPELINE") + "&halfLifeDays=-1");
        JsonNode panels = page.path("panels");
        assertEquals("error", panels.path("performance").path("state").asText());
        assertTrue(panels.path("performance").path("error").asText().contains("halfLifeDays"), panels.path("performance").path("error").asText());
        assertEquals("ok", panels.path("quality").path("state").asText(), panels.path("quality").path("error").asText());

        JsonNode refused = run(dashboardUrl("not-a-token", "LINEAR", "PIPELINE"));
        assertEquals("error", refused.path("panels").path("performance").path("state").asText());
        assertTrue(refused.path("panels").path("performance").path("error").asText().contains("HTTP 401"),
                refused.path("panels").path("performance").path("error").asText());
    }

    // ---- waiting for the services, the browser, the API ----------------------------------------

    /**
     * Waits until attribution has every opportunity of the dataset (each has touches of its account
     * before it, so LINEAR gives each exactly one unit of pipeline credit; won ones one of revenue
     * credit) and every spend row.
     */
    private static void awaitAttribution() throws InterruptedException {
        long opportunities = 0;
        long won = 0;
        for (int a = 0; a < dataset.size().accounts(); a++) {
            for (Dataset.Opportunity o : dataset.account(a).opportunities()) {
                opportunities++;
                won += "WON".equals(o.status()) ? 1 : 0;
            }
        }
        long spendCents = dataset.spend().stream().filter(s -> !s.date().isAfter(LocalDate.parse(TO))).mapToLong(Dataset.Spend::amountCents).sum();
        String last = "";
        Instant deadline = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(deadline)) {
            JsonNode pipeline = running.graphql(ServiceName.GATEWAY, analystToken, "{ performance(period: " + PERIOD
                    + ", model: {name: LINEAR}) { totals { credit } } }").extract().as(JsonNode.class);
            JsonNode revenue = running.graphql(ServiceName.GATEWAY, analystToken, "{ performance(period: " + PERIOD
                    + ", model: {name: LINEAR}, basis: REVENUE) { totals { credit } } }").extract().as(JsonNode.class);
            // Spend travels on its own feed: asked separately so that its absence names itself.
            JsonNode spend = running.graphql(ServiceName.GATEWAY, analystToken, "{ performance(period: " + PERIOD
                    + ", model: {name: LINEAR}) { totals { spend } } }").extract().as(JsonNode.class);
            double pipelineCredit = pipeline.path("data").path("performance").path("totals").path("credit").asDouble();
            double revenueCredit = revenue.path("data").path("performance").path("totals").path("credit").asDouble();
            double spent = spend.path("data").path("performance").path("totals").path("spend").asDouble();
            last = "pipeline credit " + pipelineCredit + " of " + opportunities + ", revenue credit " + revenueCredit + " of " + won
                    + ", spend " + spent + " of " + spendCents / 100.0 + "; errors " + pipeline.path("errors") + revenue.path("errors")
                    + spend.path("errors");
            if (Math.abs(pipelineCredit - opportunities) < 1e-6 && Math.abs(revenueCredit - won) < 1e-6 && Math.abs(spent - spendCents / 100.0) < 0.01) {
                return;
            }
            Thread.sleep(2000);
        }
        fail("attribution did not catch up with the dataset in 180 s: " + last);
    }

    private static JsonNode api(String query) {
        JsonNode body = running.graphql(ServiceName.GATEWAY, analystToken, query).statusCode(200).extract().as(JsonNode.class);
        assertTrue(body.path("errors").isMissingNode() || body.path("errors").isNull(), "API errors for " + query + ": " + body.path("errors"));
        return body.path("data");
    }

    @Test
    void intervalsShowAsBarsFromTheLowerToTheUpperBoundAndAsColumns() throws Exception {
        JsonNode page = run(dashboardUrl(analystToken, "LINEAR", "REVENUE") + "&intervals=0.9");
        JsonNode perf = page.path("panels").path("performance");
        assertEquals("ok", perf.path("state").asText(), perf.path("error").asText());
        JsonNode performance = api("{ performance(period: " + PERIOD + ", model: {name: LINEAR}, basis: REVENUE, groupBy: CHANNEL,"
                + " first: 100, interval: {level: 0.9}) { rows { edges { node { key revenue interval { credit { lower upper }"
                + " revenue { lower upper } } } } } } }").path("performance");
        JsonNode rows = nodes(performance.path("rows"));
        JsonNode bars = perf.path("charts").path("chart-spend-revenue").path("datasets").path("revenue 90 % interval");
        assertEquals(rows.size(), bars.size(), "one interval bar per channel: " + bars);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode bounds = rows.get(i).path("interval").path("revenue");
            assertEquals(bounds.path("lower").asDouble(), bars.get(i).get(0).asDouble(), 1e-6, "bar " + i);
            assertEquals(bounds.path("upper").asDouble(), bars.get(i).get(1).asDouble(), 1e-6, "bar " + i);
            JsonNode shown = perf.path("rows").get(i);
            JsonNode credit = rows.get(i).path("interval").path("credit");
            assertEquals(credit.path("lower").asDouble(), shown.path("creditInterval").path("lower").asDouble(), 1e-9, "row " + i);
            assertEquals(credit.path("upper").asDouble(), shown.path("creditInterval").path("upper").asDouble(), 1e-9, "row " + i);
        }
        assertTrue(page.path("panels").path("performance").toString().contains("revenue 90 % interval"));
    }

    @Test
    void theSnapshotsPanelSetsASnapshotBesideTheSameQuestionNow() throws Exception {
        String id = api("mutation { createSnapshot(name: \"browser\", period: " + PERIOD + ", models: [{name: W_SHAPED}],"
                + " bases: [REVENUE]) { id } }").path("createSnapshot").path("id").asText();
        JsonNode change = api("{ snapshotChange(id: \"" + id + "\", basis: REVENUE, first: 100) { rows { edges { node { key"
                + " amountThen amountNow amountChange } } } totals { amountThen amountNow } } }").path("snapshotChange");
        JsonNode page = run(dashboardUrl(analystToken, "LINEAR", "PIPELINE") + "&snapshot=" + id);
        JsonNode panel = page.path("panels").path("snapshots");
        assertEquals("ok", panel.path("state").asText(), panel.path("error").asText());
        JsonNode rows = nodes(change.path("rows"));
        assertTrue(rows.size() >= 3, "channels: " + rows);
        assertEquals(rows.size() + 1, panel.path("rows").size(), "the groups and the totals: " + panel.path("rows"));
        for (int i = 0; i < rows.size(); i++) {
            JsonNode shown = panel.path("rows").get(i);
            assertEquals(rows.get(i).path("key").asText(), shown.path("key").asText());
            assertEquals(rows.get(i).path("amountThen").asText(), shown.path("amountThen").asText());
            assertEquals(rows.get(i).path("amountNow").asText(), shown.path("amountNow").asText());
        }
        // Nothing changed since: then is now.
        assertEquals(change.path("totals").path("amountThen").asText(), change.path("totals").path("amountNow").asText());
        // Why the total changed, by cause, as explainChange gives it: every cause listed, each nothing here (NOT_VERSIONED
        // holds the snapshot's rounding to cents).
        JsonNode causes = api("{ explainChange(from: \"" + id + "\", basis: REVENUE) { causes { cause amount opportunityCount } } }")
                .path("explainChange").path("causes");
        JsonNode shown = panel.path("tables").path("change-causes");
        assertEquals(6, causes.size(), causes.toString());
        assertEquals(causes.size(), shown.size(), "one row per cause: " + shown);
        for (int i = 0; i < causes.size(); i++) {
            assertEquals(causes.get(i).path("cause").asText(), shown.get(i).path("cause").asText());
            assertEquals(causes.get(i).path("amount").asDouble(), shown.get(i).path("amount").asDouble(), 1e-9);
            assertEquals(0, causes.get(i).path("amount").asDouble(), 0.005 + 1e-9, causes.get(i).toString());
        }
    }

    private static String dashboardUrl(String token, String model, String basis) {
        return running.url(ServiceName.GATEWAY) + "/dashboard/#token=" + token + "&from=" + FROM + "&to=" + TO + "&model=" + model + "&basis=" + basis;
    }

    private static JsonNode openDashboard(String model, String basis) throws IOException, InterruptedException {
        return run(dashboardUrl(analystToken, model, basis));
    }

    /** Runs end-to-end/node/dashboard-check.mjs (playwright-core driving Chromium) and returns what it printed. */
    private static JsonNode run(String url) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize();
        Path node = root.resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/playwright-core"))) {
            throw new IllegalStateException("playwright-core is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        Path out = Files.createTempFile("dashboard-check", ".json");
        Process p = new ProcessBuilder("node", "dashboard-check.mjs", url)
                .directory(node.toFile())
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("node dashboard-check.mjs did not finish in 180 s");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        assertEquals(0, p.exitValue(), "node dashboard-check.mjs exited with " + p.exitValue() + ": " + printed);
        String[] lines = printed.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    // ---- comparisons ---------------------------------------------------------------------------

    /** A chart's labels and each dataset (as Chart.js holds them, and as its data-* attributes say) equal the API's. */
    private static void assertChart(JsonNode chart, List<String> labels, Map<String, List<Double>> series) {
        assertFalse(chart.isMissingNode() || chart.isNull(), "the chart was drawn");
        assertEquals(labels, strings(chart.path("labels")), "chart labels");
        assertEquals(series.keySet(), new HashSet<>(listOfNames(chart.path("datasets"))), "chart datasets");
        for (Map.Entry<String, List<Double>> s : series.entrySet()) {
            assertNumbers(s.getValue(), chart.path("datasets").path(s.getKey()), "dataset " + s.getKey());
            assertNumbers(s.getValue(), chart.path("attributes").path("series").path(s.getKey()), "data-series " + s.getKey());
        }
        assertEquals(labels, strings(chart.path("attributes").path("labels")), "data-labels");
    }

    private static void assertRows(JsonNode shown, List<JsonNode> expected, String[] fields) {
        assertEquals(expected.size(), shown.size(), "table rows: " + shown);
        for (int i = 0; i < expected.size(); i++) {
            for (String field : fields) {
                JsonNode want = expected.get(i).path(field);
                JsonNode got = shown.path(i).path(field);
                if (field.equals("key")) {
                    assertEquals(want.isNull() ? "null" : want.asText(), got.isNull() ? "null" : got.asText(), "row " + i + " key");
                } else {
                    assertNumber(want, got, "row " + i + " (" + expected.get(i).path("key").asText() + ") " + field);
                }
            }
        }
    }

    private static void assertStats(JsonNode shown, JsonNode expected) {
        expected.properties().forEach(e -> assertNumber(e.getValue(), shown.path(e.getKey()), "figure " + e.getKey()));
    }

    private static void assertNumber(JsonNode expected, JsonNode shown, String what) {
        if (expected.isNull() || expected.isMissingNode()) {
            assertTrue(shown.isNull(), what + ": expected null, shown " + shown);
            return;
        }
        assertNotNull(shown, what);
        if (expected.isTextual()) {
            // Money: the exact decimal string the API gave, carried as is.
            assertEquals(expected.asText(), shown.asText(), what);
            assertTrue(shown.isTextual(), what + ": expected " + expected + ", shown " + shown);
            return;
        }
        assertTrue(shown.isNumber(), what + ": expected " + expected + ", shown " + shown);
        assertEquals(expected.asDouble(), shown.asDouble(), 1e-9 * Math.max(1, Math.abs(expected.asDouble())), what);
    }

    private static void assertNumbers(List<Double> expected, JsonNode shown, String what) {
        assertEquals(expected.size(), shown.size(), what + ": " + shown);
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i) == null) {
                assertTrue(shown.path(i).isNull(), what + "[" + i + "]");
            } else {
                assertEquals(expected.get(i), shown.path(i).asDouble(), 1e-9 * Math.max(1, Math.abs(expected.get(i))), what + "[" + i + "]");
            }
        }
    }

    /** The nodes of a connection's edges. */
    private static JsonNode nodes(JsonNode connection) {
        com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
        connection.path("edges").forEach(edge -> out.add(edge.path("node")));
        return out;
    }

    private static List<String> keys(JsonNode rows) {
        List<String> keys = new ArrayList<>();
        rows.forEach(r -> keys.add(r.path("key").isNull() ? "(none)" : r.path("key").asText()));
        return keys;
    }

    private static List<Double> column(JsonNode rows, String field) {
        List<Double> values = new ArrayList<>();
        rows.forEach(r -> values.add(r.path(field).isNull() ? null : r.path(field).asDouble()));
        return values;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<String> listOfNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<JsonNode> listOf(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static double sum(JsonNode values) {
        double total = 0;
        for (JsonNode v : values) {
            total += v.asDouble();
        }
        return total;
    }
}
