package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.feed.FeedStreams;
import io.closedloop.launcher.testing.FeedPlans;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.SessionSettings;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.closedloop.ingestion.rest.IngestionTesting.feedPage;
import static io.closedloop.ingestion.rest.IngestionTesting.payload;
import static io.closedloop.ingestion.rest.IngestionTesting.serviceToken;
import static io.closedloop.ingestion.rest.IngestionTesting.writeKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The change-feed protocol of docs/feeds.md: paging with a cursor, commit-safe order, access. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class FeedApiTest {

    private static void track(String key, String id) {
        given().auth().preemptive().basic(key, "").contentType("application/json")
                .body("{\"messageId\":\"" + id + "\",\"anonymousId\":\"a\",\"event\":\"Viewed\"}")
                .post("/v1/track").then().statusCode(200);
    }

    /** The current end of the touches feed: the cursor after its last item. */
    private static String end() {
        String after = "";
        while (true) {
            JsonPath page = feedPage("touches", after, 10_000);
            if (page.getList("items").isEmpty()) {
                return after;
            }
            after = page.getString("next");
        }
    }

    private static List<String> ids(JsonPath page) {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> item : page.<Map<String, Object>>getList("items")) {
            ids.add((String) payload(item).get("id"));
        }
        return ids;
    }

    @Test
    void aConsumerPagesWithTheCursorAndAnEmptyPageMeansCaughtUp() {
        String ws = "feed" + UUID.randomUUID().toString().substring(0, 6);
        String key = writeKey(ws);
        String start = end();
        for (int i = 0; i < 5; i++) {
            track(key, ws + "-" + i);
        }
        List<String> seen = new ArrayList<>();
        String after = start;
        int pages = 0;
        while (true) {
            JsonPath page = feedPage("touches", after, 2);
            List<String> ids = ids(page);
            if (ids.isEmpty()) {
                assertEquals(after, page.getString("next"), "an empty page hands back the cursor given");
                break;
            }
            assertTrue(ids.size() <= 2);
            seen.addAll(ids);
            after = page.getString("next");
            pages++;
        }
        assertEquals(List.of(ws + "-0", ws + "-1", ws + "-2", ws + "-3", ws + "-4"), seen);
        assertEquals(3, pages);
        JsonPath first = feedPage("touches", start, 1);
        Map<String, Object> item = first.<Map<String, Object>>getList("items").get(0);
        assertEquals(ws, item.get("workspace"));
        assertEquals("touch", item.get("kind"));
        assertTrue(((Number) item.get("seq")).longValue() > 0);
    }

    @Test
    void aRowCommittedLateWithAnEarlierSequenceIsNeverSkipped() throws SQLException {
        String ws = "late" + UUID.randomUUID().toString().substring(0, 6);
        String key = writeKey(ws);
        String start = end();
        try (Connection late = connect()) {
            late.setAutoCommit(false);
            // This transaction takes its xid and a sequence number first, and commits last.
            try (PreparedStatement insert = late.prepareStatement("insert into touch (workspace_id, id, origin, occurred_at, type, identifiers,"
                    + " channel, utm_valid) values (?, ?, 'offline', now(), 'CALL', '[]', 'events', true)")) {
                insert.setString(1, ws);
                insert.setString(2, ws + "-late");
                insert.executeUpdate();
            }
            track(key, ws + "-early"); // committed while the first transaction is still open

            JsonPath held = feedPage("touches", start, 100);
            assertEquals(List.of(), ids(held), "nothing at or after an open transaction's xid is handed out");
            assertEquals(start, held.getString("next"));
            late.commit();
        }
        JsonPath page = feedPage("touches", start, 100);
        assertEquals(List.of(ws + "-late", ws + "-early"), ids(page));
    }

    @Test
    void thePartitionsOfAStreamSplitItsItemsByKeyAndTogetherHoldThemAllInOrder() {
        String ws = "part" + UUID.randomUUID().toString().substring(0, 6);
        String key = writeKey(ws);
        String start = end();
        for (int i = 0; i < 12; i++) {
            track(key, ws + "-" + i);
        }
        List<String> whole = ids(feedPage("touches", start, 100));
        assertEquals(12, whole.size());
        List<String> union = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            String after = start;
            List<String> share = new ArrayList<>();
            while (true) {
                // Pages of 4 walk 4 items of the stream each and hold this partition's share of them.
                JsonPath page = given().auth().oauth2(serviceToken()).queryParam("after", after).queryParam("limit", 4)
                        .queryParam("partition", p + "/3").get("/feeds/touches").then().statusCode(200).extract().jsonPath();
                for (Map<String, Object> item : page.<Map<String, Object>>getList("items")) {
                    assertEquals(p, ((Number) item.get("partition")).intValue() % 3, "an item of partition " + p + " of 3");
                    share.add((String) payload(item).get("id"));
                }
                if (page.getString("next").equals(after)) {
                    break; // caught up: the cursor did not move
                }
                after = page.getString("next");
            }
            assertEquals(whole.stream().filter(share::contains).toList(), share, "a share keeps the stream's order");
            union.addAll(share);
        }
        assertEquals(whole.size(), union.size(), "no item in two partitions");
        assertEquals(new java.util.HashSet<>(whole), new java.util.HashSet<>(union), "every item in one partition");
        given().auth().oauth2(serviceToken()).queryParam("partition", "3/3").get("/feeds/touches")
                .then().statusCode(400).body("error", containsString("partition"));
        given().auth().oauth2(serviceToken()).queryParam("partition", "half").get("/feeds/touches")
                .then().statusCode(400).body("error", containsString("partition"));
    }

    @Test
    void aReadThatFindsNothingWaitsForTheStreamsNextCommitUpToItsBound() throws Exception {
        String ws = "wait" + UUID.randomUUID().toString().substring(0, 6);
        String key = writeKey(ws);
        String start = end();
        // Nothing comes: the read answers empty once its bound has passed, not before.
        long t0 = System.nanoTime();
        JsonPath empty = waitingPage(start, 700);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(empty.getList("items").isEmpty(), "nothing was written");
        assertTrue(waited >= 650, "an empty read waits out its bound (waited " + waited + " ms)");
        // A commit wakes it: the item comes long before the bound of 5 s.
        java.util.concurrent.CompletableFuture<JsonPath> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> waitingPage(start, 5000));
        Thread.sleep(300);
        long t1 = System.nanoTime();
        track(key, ws + "-woken");
        JsonPath page = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        long answered = (System.nanoTime() - t1) / 1_000_000;
        assertEquals(List.of(ws + "-woken"), ids(page));
        assertTrue(answered < 2500, "a commit to the stream answers the waiting read at once (took " + answered + " ms)");
        // Bounded: more than the maximum, or not a number, is refused naming the parameter.
        for (String bad : List.of("5001", "-1", "soon")) {
            given().auth().oauth2(serviceToken()).queryParam("after", start).queryParam("wait", bad).get("/feeds/touches").then()
                    .statusCode(400).body(containsString("wait"));
        }
    }

    @Test
    void onlyAStreamSomeReadWaitsForIsNotified() throws SQLException {
        // Notifying commits are serialized server-wide: a stream no read waits for must not notify.
        try (Connection listener = connect(); Connection writer = connect(); Statement listen = listener.createStatement();
             Statement write = writer.createStatement()) {
            listen.execute("listen closedloop_feeds");
            write.execute("delete from feed_waiting where stream = 'revenue'");
            write.execute("update revenue set id = id where false"); // a statement trigger fires for no rows as well
            assertEquals(List.of(), notifications(listener));
            write.execute("insert into feed_waiting (stream, until) values ('revenue', clock_timestamp() + interval '1 minute')");
            write.execute("update revenue set id = id where false");
            assertEquals(List.of("revenue"), notifications(listener));
            write.execute("update feed_waiting set until = clock_timestamp() - interval '1 second' where stream = 'revenue'");
            write.execute("update revenue set id = id where false");
            assertEquals(List.of(), notifications(listener), "a registration that ran out notifies no more");
        }
    }

    private static List<String> notifications(Connection listener) throws SQLException {
        List<String> out = new ArrayList<>();
        org.postgresql.PGNotification[] got = listener.unwrap(org.postgresql.PGConnection.class).getNotifications(500);
        for (org.postgresql.PGNotification n : got == null ? new org.postgresql.PGNotification[0] : got) {
            out.add(n.getParameter());
        }
        return out;
    }

    private static JsonPath waitingPage(String after, long waitMillis) {
        return given().auth().oauth2(serviceToken()).queryParam("after", after).queryParam("limit", 100)
                .queryParam("wait", waitMillis).get("/feeds/touches").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void badCursorOrLimitIs400NamingTheParameter() {
        given().auth().oauth2(serviceToken()).queryParam("after", "nonsense").get("/feeds/touches")
                .then().statusCode(400).body("error", containsString("after"));
        given().auth().oauth2(serviceToken()).queryParam("limit", "0").get("/feeds/touches")
                .then().statusCode(400).body("error", containsString("limit"));
        given().auth().oauth2(serviceToken()).queryParam("limit", "10001").get("/feeds/touches")
                .then().statusCode(400).body("error", containsString("limit"));
        given().auth().oauth2(serviceToken()).get("/feeds/nope").then().statusCode(404);
    }

    @Test
    void onlyTheServiceRoleReadsFeeds() {
        given().get("/feeds/touches").then().statusCode(401);
        given().auth().oauth2(TestKeys.token("acme", "admin")).get("/feeds/touches").then().statusCode(403)
                .body("error", containsString("service"));
        for (String stream : List.of("touches", "identity-facts", "crm", "revenue", "spend", "erasures")) {
            given().auth().oauth2(serviceToken()).get("/feeds/" + stream).then().statusCode(200);
        }
        // A consumer's token reads only its feeds, and only from the producers it names as audience.
        String identityToken = TestKeys.serviceToken("ingestion/identity-facts", "ingestion/crm", "ingestion/erasures");
        given().auth().oauth2(identityToken).get("/feeds/crm").then().statusCode(200);
        given().auth().oauth2(identityToken).get("/feeds/touches").then().statusCode(403)
                .body("error", containsString("may not read ingestion/touches"));
        given().auth().oauth2(TestKeys.serviceToken("identity/memberships")).get("/feeds/crm").then().statusCode(403)
                .body("error", containsString("needs 'ingestion'"));
        given().auth().oauth2(TestKeys.token(null, "service")).get("/feeds/crm").then().statusCode(403);
    }

    private static final Map<String, List<String>> STREAM_TABLES = Map.of(
            "touches", List.of("touch"),
            "identity-facts", List.of("identity_fact"),
            "crm", List.of("crm_account", "crm_contact", "crm_opportunity"),
            "revenue", List.of("revenue"),
            "spend", List.of("spend"),
            "erasures", List.of("erasure_item"));

    @Test
    void everyStreamsPageIsAnIndexRangeScanOfItsTables() throws SQLException {
        assertEquals(FeedStreams.names(), STREAM_TABLES.keySet(), "every stream is checked");
        try (Connection c = connect()) {
            c.setAutoCommit(false); // the rows and statistics are rolled back: other tests see neither
            try (Statement s = c.createStatement()) {
                FeedPlans.fill(s, "touch", "workspace_id, id, origin, occurred_at, type, identifiers, channel, utm_valid",
                        "'plans', 't' || i, 'offline', now(), 'CALL', '[]', 'events', true");
                FeedPlans.fill(s, "identity_fact", "workspace_id, id, origin, kind, occurred_at, identifiers",
                        "'plans', 'f' || i, 'segment', 'identify', now(), '[]'");
                FeedPlans.fill(s, "crm_account", "workspace_id, id", "'plans', 'a' || i");
                FeedPlans.fill(s, "crm_contact", "workspace_id, id", "'plans', 'c' || i");
                FeedPlans.fill(s, "crm_opportunity", "workspace_id, id, created_at, status", "'plans', 'o' || i, now(), 'OPEN'");
                FeedPlans.fill(s, "revenue", "workspace_id, id, account_id, amount, currency, original_amount, original_currency, occurred_at",
                        "'plans', 'r' || i, 'a', 1, 'USD', 1, 'USD', now()");
                FeedPlans.fill(s, "spend", "workspace_id, id, day, channel, amount, currency, original_amount, original_currency",
                        "'plans', 's' || i, current_date, 'display', 1, 'USD', 1, 'USD'");
                FeedPlans.fill(s, "erasure_item", "workspace_id, erasure_id, identifiers", "'plans', 'e' || i, '[]'");
                for (Map.Entry<String, List<String>> stream : STREAM_TABLES.entrySet()) {
                    FeedPlans.assertIndexRangeScan(c, stream.getKey(), FeedStreams.reader(stream.getKey()).pageQuery(), stream.getValue());
                }
            } finally {
                c.rollback();
            }
        }
    }

    @Inject
    Pool pool;

    @Test
    void acknowledgedMeansDurableTheServiceCommitsSynchronously() throws SQLException {
        // The embedded test server defaults to synchronous_commit=off; the service's sessions ask for on.
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("show synchronous_commit")) {
            rs.next();
            assertEquals("off", rs.getString(1), "the test server's default (so the next assertion means something)");
        }
        var row = pool.query(SessionSettings.QUERY).execute().await().indefinitely().iterator().next();
        assertEquals(SessionSettings.EXPECTED, List.of(row.getString(0), row.getString(1), row.getString(2)),
                "statements and idle transactions bounded, commits durable");
    }

    static Connection connect() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }
}
