package io.closedloop.endtoend;

import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.ServiceProcess;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Segment events and CRM data sent to ingestion's public API flow through the feeds (ingestion →
 * identity → attribution) into attribution's rollups; the credits read back from attribution's
 * GraphQL are the hand-computed ones, and a deal marked won and a new touch change them.
 *
 * Visitor anon-1 (later identified as ada@acme.com, contact 003A of account 001A, lead created
 * 03-05 12:00): t1 03-01 google/cpc (paid_search), t2 03-03 newsletter/email (email), t3 03-05 11:00
 * "Form Submitted" (direct form fill), t4 03-08 from google.com (organic_search). Opportunity 006A
 * of 001A, 1000 USD, created 03-10. So FT = t1, LC = t3, OC = t4.
 */
class AttributionIT {

    private static final String WS = "attr-e2e";
    static RunningSystem running;
    static String writeKey;
    static ServiceProcess replica;

    @BeforeAll
    static void start() throws Exception {
        // Feeds read in four partitions; attribution runs as two replicas sharing them through leases (one is killed below).
        Map<String, String> partitioned = Map.of("CLOSEDLOOP_FEEDS_PARTITIONS", "4", "CLOSEDLOOP_FEEDS_LEASE_TTL", "3s");
        running = RunningSystem.startOnly(Map.of(ServiceName.IDENTITY, partitioned, ServiceName.ATTRIBUTION, partitioned),
                ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION);
        replica = running.system.startReplica(ServiceName.ATTRIBUTION);
        writeKey = running.graphql(ServiceName.INGESTION, running.token(WS, "admin"),
                        "mutation { createWriteKey(name: \"site\") { key } }")
                .body("errors", nullValue()).extract().path("data.createWriteKey.key");
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void eventsAndCrmDataThroughIngestionComeBackAsHandComputedCreditsAndChangesFlowIn() throws Exception {
        crm("upsertAccounts", "AccountInput", "accounts", List.of(Map.of("id", "001A", "name", "Acme", "domains", List.of("acme.com"))));
        crm("upsertContacts", "ContactInput", "contacts", List.of(Map.of("id", "003A", "email", "ada@acme.com",
                "accountId", "001A", "createdAt", "2026-03-05T12:00:00Z", "leadCreatedAt", "2026-03-05T12:00:00Z")));
        segment(List.of(
                page("t1", "2026-03-01T10:00:00Z", "https://acme-site.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand", null),
                page("t2", "2026-03-03T10:00:00Z", "https://acme-site.com/blog?utm_source=newsletter&utm_medium=email", null),
                Map.of("type", "identify", "messageId", "id1", "anonymousId", "anon-1", "userId", "u-1",
                        "timestamp", "2026-03-05T10:59:00Z", "traits", Map.of("email", "ada@acme.com")),
                Map.of("type", "track", "messageId", "t3", "anonymousId", "anon-1", "userId", "u-1", "event", "Form Submitted",
                        "timestamp", "2026-03-05T11:00:00Z", "properties", Map.of("email", "ada@acme.com"),
                        "context", Map.of("page", Map.of("url", "https://acme-site.com/demo"))),
                page("t4", "2026-03-08T10:00:00Z", "https://acme-site.com/pricing", "https://www.google.com/")));
        crm("upsertOpportunities", "OpportunityInput", "opportunities", List.of(opportunity("Proposal", null)));

        // Pipeline basis, linear: the four touches get 1/4 of 1000 each.
        JsonPath linear = await("PIPELINE", "linear", r -> r.getInt("attributedOpportunities") == 1
                && r.getList("rows").size() == 4);
        assertRows(linear, Map.of("paid_search", 0.25, "email", 0.25, "direct", 0.25, "organic_search", 0.25), 1000);
        assertNotNull(linear.getString("dataAsOf"));
        assertRows(report("PIPELINE", "first_touch"), Map.of("paid_search", 1.0), 1000);
        assertRows(report("PIPELINE", "u_shaped"), Map.of("paid_search", 0.4, "email", 0.1, "direct", 0.1,
                "organic_search", 0.4), 1000);
        // W: FT t1, LC t3 (last touch before the lead creation), OC t4 get 0.3 each; t2 between FT and OC 0.1.
        assertRows(report("PIPELINE", "w_shaped"), Map.of("paid_search", 0.3, "email", 0.1, "direct", 0.3,
                "organic_search", 0.3), 1000);
        assertEquals(0, report("REVENUE", "linear").getInt("attributedOpportunities"));

        // The two replicas split attribution's 24 consumers (6 feeds × 4 partitions); the second one is then killed, and
        // the first takes its partitions once their leases expire: what follows arrives through it alone.
        awaitLeases("12,12");
        // Every item of every feed was applied by exactly one replica (their counts on /q/metrics sum to the feed's items),
        // and every partition is held by exactly one.
        for (String feed : ServiceName.ATTRIBUTION.feedsRead()) {
            Map<String, Double> first = Map.of();
            Map<String, Double> second = Map.of();
            long items = -1;
            for (int i = 0; i < 100; i++) { // the last pages may still be on their way
                items = running.feedItems(feed);
                first = metrics(running.url(ServiceName.ATTRIBUTION), feed);
                second = metrics(replica.url(), feed);
                if (first.getOrDefault("applied", 0.0) + second.getOrDefault("applied", 0.0) >= items) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(items, first.getOrDefault("applied", 0.0) + second.getOrDefault("applied", 0.0), 1e-9,
                    feed + " items applied by the two replicas: " + first + " " + second);
            assertEquals(4.0, first.getOrDefault("held", 0.0) + second.getOrDefault("held", 0.0), 1e-9, feed + " partitions held");
        }
        // A full recompute started on one replica is shared with the other: each runs its share of the partitions.
        int partitions = recompute();
        try (java.sql.Connection c = running.database(ServiceName.ATTRIBUTION);
             java.sql.ResultSet r = c.createStatement().executeQuery("select count(distinct runner) from recompute_partition"
                     + " where generation = (select max(generation) from recompute_partition)")) {
            r.next();
            assertEquals(Math.min(2, partitions), r.getInt(1), "replicas that ran a partition of the recompute");
        }
        assertRows(report("PIPELINE", "linear"), Map.of("paid_search", 0.25, "email", 0.25, "direct", 0.25,
                "organic_search", 0.25), 1000);
        replica.kill();

        // The deal is won on 03-20 and a new paid_search touch comes on 03-15: the revenue basis has 5 touches.
        segment(List.of(page("t5", "2026-03-15T10:00:00Z", "https://acme-site.com/?utm_source=google&utm_medium=cpc", null)));
        crm("upsertOpportunities", "OpportunityInput", "opportunities", List.of(opportunity("Closed Won", "2026-03-20T00:00:00Z")));
        JsonPath revenue = await("REVENUE", "linear", r -> r.getInt("attributedOpportunities") == 1
                && r.getList("rows").size() == 4 && Math.abs(rows(r).get("paid_search") - 0.4) < 1e-9);
        assertRows(revenue, Map.of("paid_search", 0.4, "email", 0.2, "direct", 0.2, "organic_search", 0.2), 1000);
        assertRows(report("REVENUE", "last_touch"), Map.of("paid_search", 1.0), 1000);
        // The pipeline journey ends at the creation (03-10): t5 does not count there.
        assertRows(report("PIPELINE", "linear"), Map.of("paid_search", 0.25, "email", 0.25, "direct", 0.25,
                "organic_search", 0.25), 1000);

        // A full recompute gives the same figures from a new generation.
        recompute();
        assertRows(report("REVENUE", "linear"), Map.of("paid_search", 0.4, "email", 0.2, "direct", 0.2, "organic_search", 0.2), 1000);
        awaitLeases("24");
    }

    /** Runs a full recompute of the workspace's rollups to its end; emits its partition count. */
    private static int recompute() throws InterruptedException {
        String admin = running.token(WS, "admin");
        running.graphql(ServiceName.ATTRIBUTION, admin, "mutation { recomputeRollups { generation } }").body("errors", nullValue());
        String state = null;
        int partitions = 0;
        for (int i = 0; i < 300 && !"DONE".equals(state); i++) {
            Thread.sleep(100);
            JsonPath progress = running.graphql(ServiceName.ATTRIBUTION, admin, "{ rollupRecompute { state partitions } }")
                    .extract().jsonPath();
            state = progress.getString("data.rollupRecompute.state");
            partitions = progress.getInt("data.rollupRecompute.partitions");
        }
        assertEquals("DONE", state);
        return partitions;
    }

    /** A replica's {@code closedloop_feeds_applied_total} and {@code closedloop_feeds_held} of one feed, summed over its partitions. */
    private static Map<String, Double> metrics(String url, String feed) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Map<String, Double> sums = new HashMap<>();
        for (String line : response.body().split("\n")) {
            for (String metric : List.of("applied", "held")) {
                String name = metric.equals("applied") ? "closedloop_feeds_applied_total{" : "closedloop_feeds_held{";
                if (line.startsWith(name) && line.contains("feed=\"" + feed + "\"")) {
                    sums.merge(metric, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
                }
            }
        }
        return sums;
    }

    /** Waits until attribution's held leases per replica, sorted, are {@code expected} (e.g. "12,12"). */
    private static void awaitLeases(String expected) throws Exception {
        String held = "";
        for (int i = 0; i < 300 && !held.equals(expected); i++) {
            try (java.sql.Connection c = running.database(ServiceName.ATTRIBUTION);
                 java.sql.ResultSet r = c.createStatement().executeQuery("select string_agg(n::text, ',' order by n) from"
                         + " (select count(*) n from feed_lease where owner is not null and expires_at > now() group by owner) o")) {
                r.next();
                held = String.valueOf(r.getString(1));
            }
            Thread.sleep(100);
        }
        assertEquals(expected, held, "attribution's leases held per replica");
    }

    private interface Check {
        boolean ok(JsonPath report);
    }

    private static JsonPath await(String basis, String model, Check check) throws InterruptedException {
        JsonPath last = null;
        for (int i = 0; i < 600; i++) {
            last = report(basis, model);
            if (check.ok(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the feeds did not bring the expected " + basis + " " + model + " report: " + last.prettify());
    }

    private static JsonPath report(String basis, String model) {
        String body = running.graphql(ServiceName.ATTRIBUTION, running.token(WS, "analyst"),
                        "{ attribution(period: {from: \"2026-03-01\", to: \"2026-03-31\"}, basis: " + basis + ", model: {name: "
                                + model.toUpperCase(java.util.Locale.ROOT) + "})"
                                + " { attributedOpportunities dataAsOf rows { key credit amount opportunities } } }")
                .statusCode(200).extract().asString();
        JsonPath json = new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertNull(json.get("errors"), body);
        return json.setRootPath("data.attribution");
    }

    private static Map<String, Double> rows(JsonPath report) {
        Map<String, Double> rows = new HashMap<>();
        int n = report.getList("rows").size();
        for (int i = 0; i < n; i++) {
            rows.put(report.getString("rows[" + i + "].key"), report.getDouble("rows[" + i + "].credit"));
        }
        return rows;
    }

    private static void assertRows(JsonPath report, Map<String, Double> expected, double amount) {
        Map<String, Double> rows = new HashMap<>();
        int n = report.getList("rows").size();
        for (int i = 0; i < n; i++) {
            double credit = report.getDouble("rows[" + i + "].credit");
            if (credit > 1e-12) {
                rows.put(report.getString("rows[" + i + "].key"), credit);
                assertEquals(credit * amount, report.getDouble("rows[" + i + "].amount"), 1e-6, report.prettify());
            }
        }
        assertEquals(expected.keySet(), rows.keySet(), report.prettify());
        expected.forEach((key, credit) -> assertEquals(credit, rows.get(key), 1e-9, key + " in " + report.prettify()));
    }

    private static Map<String, Object> page(String id, String at, String url, String referrer) {
        Map<String, Object> page = new HashMap<>();
        page.put("url", url);
        if (referrer != null) {
            page.put("referrer", referrer);
        }
        return Map.of("type", "page", "messageId", id, "anonymousId", "anon-1", "timestamp", at,
                "properties", page, "context", Map.of("page", page));
    }

    private static void segment(List<Map<String, Object>> batch) {
        given().auth().preemptive().basic(writeKey, "").contentType("application/json").body(Map.of("batch", batch))
                .post(running.url(ServiceName.INGESTION) + "/v1/batch").then().statusCode(200)
                .body("rejected", org.hamcrest.Matchers.anyOf(nullValue(), org.hamcrest.Matchers.empty()));
    }

    private static Map<String, Object> opportunity(String stage, String closedAt) {
        Map<String, Object> o = new HashMap<>(Map.of("id", "006A", "accountId", "001A", "name", "Acme - new",
                "amount", "1000.00", "currency", "USD", "createdAt", "2026-03-10T00:00:00Z", "stage", stage,
                "contactRoles", List.of(Map.of("contactId", "003A", "role", "Decision Maker"))));
        o.put("status", closedAt == null ? "OPEN" : "WON");
        if (closedAt != null) {
            o.put("closedAt", closedAt);
        }
        return o;
    }

    private static void crm(String mutation, String type, String argument, List<Map<String, Object>> items) {
        given().contentType("application/json").header("Authorization", "Bearer " + running.token(WS, "ingest"))
                .body(Map.of("query", "mutation($items: [" + type + "!]!) { " + mutation + "(" + argument
                        + ": $items) { index status field error } }", "variables", Map.of("items", items)))
                .post(running.url(ServiceName.INGESTION) + "/graphql").then().statusCode(200)
                .body("errors", nullValue())
                .body("data." + mutation + ".status", org.hamcrest.Matchers.everyItem(
                        org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.equalTo("CREATED"), org.hamcrest.Matchers.equalTo("UPDATED"))));
    }
}
