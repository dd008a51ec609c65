package io.closedloop.ingestion.rest;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static io.closedloop.ingestion.rest.IngestionTesting.feed;
import static io.closedloop.ingestion.rest.IngestionTesting.payload;
import static io.closedloop.ingestion.rest.IngestionTesting.writeKey;
import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Segment HTTP Tracking API as tracking libraries use it, and what comes out of the feeds. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class SegmentApiTest {

    private static String workspace() {
        return "ws" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static RequestSpecification segment(String key) {
        return given().auth().preemptive().basic(key, "").contentType("application/json");
    }

    private static ValidatableResponse post(String key, String path, String body) {
        return segment(key).body(body).post(path).then();
    }

    private static String page(String id, String url, String referrer) {
        return "{\"type\":\"page\",\"messageId\":\"" + id + "\",\"anonymousId\":\"anon-1\",\"timestamp\":\"" + Instant.now()
                + "\",\"context\":{\"page\":{\"url\":\"" + url + "\"" + (referrer == null ? "" : ",\"referrer\":\"" + referrer + "\"")
                + "}}}";
    }

    @Test
    void batchWithSomeBadMessagesStoresTheGoodOnesAndNamesTheBad() {
        String ws = workspace();
        String key = writeKey(ws);
        String body = "{\"batch\":["
                + page("good-1", "https://acme.com/?utm_source=Google&utm_medium=CPC&utm_campaign=Brand", null) + ","
                + "{\"type\":\"track\",\"messageId\":\"bad-1\",\"anonymousId\":\"a\"},"
                + "{\"type\":\"page\",\"messageId\":\"bad-2\",\"anonymousId\":\"a\",\"timestamp\":\"yesterday\"},"
                + "{\"type\":\"wink\",\"messageId\":\"bad-3\",\"anonymousId\":\"a\"},"
                + "{\"type\":\"identify\",\"messageId\":\"good-2\",\"userId\":\"u1\",\"anonymousId\":\"anon-1\",\"traits\":{\"email\":\" Ada@Acme.com \"}}"
                + "],\"sentAt\":\"" + Instant.now() + "\"}";
        post(key, "/v1/batch", body).statusCode(200)
                .body("success", equalTo(true))
                .body("rejected", hasSize(3))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].messageId", equalTo("bad-1"))
                .body("rejected[0].field", equalTo("event"))
                .body("rejected[1].index", equalTo(2)).body("rejected[1].field", equalTo("timestamp"))
                .body("rejected[2].index", equalTo(3)).body("rejected[2].field", equalTo("type"));

        List<Map<String, Object>> touches = feed("touches", ws);
        assertEquals(1, touches.size());
        Map<String, Object> touch = payload(touches.get(0));
        assertEquals("good-1", touch.get("id"));
        assertEquals("PAGE_VIEW", touch.get("type"));
        assertEquals("paid_search", touch.get("channel"));
        assertEquals("google", touch.get("source"));
        assertEquals("cpc", touch.get("medium"));
        assertEquals("brand", touch.get("campaign"));
        assertEquals(true, touch.get("utmValid"));
        List<Map<String, Object>> facts = feed("identity-facts", ws);
        assertEquals(1, facts.size());
        assertEquals("identify", facts.get(0).get("kind"));
        assertEquals(List.of(Map.of("type", "anonymous_id", "value", "anon-1"), Map.of("type", "user_id", "value", "u1"),
                Map.of("type", "email", "value", "ada@acme.com")), payload(facts.get(0)).get("identifiers"));
    }

    @Test
    void batchOfOnlyBadMessagesIs400NamingThemAll() {
        String key = writeKey(workspace());
        post(key, "/v1/batch", "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"a\"},{\"type\":\"page\"}]}")
                .statusCode(400)
                .body("success", equalTo(false))
                .body("rejected", hasSize(2))
                .body("rejected[1].field", equalTo("userId"));
    }

    @Test
    void singleCallsAndShortPathsAreAccepted() {
        String ws = workspace();
        String key = writeKey(ws);
        post(key, "/v1/track", "{\"messageId\":\"t1\",\"userId\":\"u1\",\"anonymousId\":\"a1\",\"event\":\"Demo Requested\"}")
                .statusCode(200).body("success", equalTo(true));
        given().auth().preemptive().basic(key, "").contentType("text/plain")
                .body("{\"messageId\":\"p1\",\"anonymousId\":\"a1\",\"context\":{\"page\":{\"url\":\"https://acme.com/\",\"referrer\":\"https://www.linkedin.com/\"}}}")
                .post("/v1/p").then().statusCode(200);
        post(key, "/v1/g", "{\"messageId\":\"g1\",\"userId\":\"u1\",\"groupId\":\"acc-1\",\"traits\":{\"name\":\"Acme\",\"website\":\"https://www.acme.com/\"}}")
                .statusCode(200);
        post(key, "/v1/a", "{\"messageId\":\"al1\",\"userId\":\"u1\",\"previousId\":\"a1\",\"anonymousId\":\"a1\"}").statusCode(200);
        post(key, "/v1/track", "{\"userId\":\"u1\"}").statusCode(400).body("error", containsString("event"));

        Map<String, Map<String, Object>> touches = byId(feed("touches", ws));
        assertEquals("FORM_FILL", touches.get("t1").get("type"));
        assertEquals("organic_social", touches.get("p1").get("channel"));
        assertEquals("linkedin", touches.get("p1").get("source"));
        Map<String, Map<String, Object>> facts = byId(feed("identity-facts", ws));
        assertEquals(Map.of("id", "acc-1", "domain", "acme.com", "name", "Acme"), facts.get("g1").get("account"));
        assertEquals(List.of(Map.of("type", "anonymous_id", "value", "a1"), Map.of("type", "user_id", "value", "u1")),
                facts.get("al1").get("identifiers"));
        assertTrue(facts.containsKey("t1"), "a track call with a user id and an anonymous id links them");
    }

    @Test
    void aMessageSentThreeTimesIsStoredOnceAndFirstWriteWins() {
        String ws = workspace();
        String key = writeKey(ws);
        String body = "{\"batch\":[" + page("same", "https://acme.com/?utm_source=newsletter&utm_medium=email", null) + "]}";
        for (int i = 0; i < 3; i++) {
            post(key, "/v1/batch", body).statusCode(200).body("rejected", nullValue());
        }
        post(key, "/v1/batch", "{\"batch\":[" + page("same", "https://acme.com/other", null) + "]}").statusCode(200);
        List<Map<String, Object>> touches = feed("touches", ws);
        assertEquals(1, touches.size());
        assertEquals("email", payload(touches.get(0)).get("channel"));
        // A batch holding a stored message and new ones: the new ones are stored, the stored one is left as it was.
        post(key, "/v1/batch", "{\"batch\":[" + page("new-1", "https://acme.com/1", null) + ","
                + page("same", "https://acme.com/other", null) + "," + page("new-2", "https://acme.com/2", null) + "]}").statusCode(200);
        touches = feed("touches", ws);
        assertEquals(3, touches.size());
        assertEquals("email", payload(touches.get(0)).get("channel"));

        // Without a messageId, one is derived from the content: a retried identical message is still stored once.
        String noId = "{\"anonymousId\":\"x\",\"event\":\"Clicked\",\"timestamp\":\"2026-01-02T03:04:05.000Z\"}";
        post(key, "/v1/track", noId).statusCode(200);
        post(key, "/v1/track", noId).statusCode(200);
        assertEquals(4, feed("touches", ws).size());
    }

    @Test
    void retriesRacingTheirOriginalsInAnotherOrderAreStoredOnceNever503() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<String> workspaces = new java.util.ArrayList<>();
        for (int round = 0; round < 4; round++) {
            // A workspace per round: 3,000 messages each stay within a workspace's burst (the rate limit is not tested here).
            String ws = workspace();
            String key = writeKey(ws);
            workspaces.add(ws);
            StringBuilder forward = new StringBuilder();
            StringBuilder backward = new StringBuilder();
            for (int i = 0; i < 1500; i++) {
                forward.append(i == 0 ? "" : ",").append(page("r" + round + "-" + i, "https://acme.com/" + i, null));
                backward.append(i == 0 ? "" : ",").append(page("r" + round + "-" + (1499 - i), "https://acme.com/" + (1499 - i), null));
            }
            var answers = List.of(forward, backward).stream()
                    .map(b -> client.sendAsync(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/batch"))
                            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"batch\":[" + b + "]}")).build(), HttpResponse.BodyHandlers.ofString()))
                    .toList();
            for (var answer : answers) {
                assertEquals(200, answer.get().statusCode(), answer.get().body());
            }
        }
        for (String ws : workspaces) {
            assertEquals(1500, feed("touches", ws).size());
        }
    }

    @Test
    void wrongMissingOrRevokedKeysAre401AndStoreNothing() {
        String ws = workspace();
        String body = "{\"batch\":[" + page("k1", "https://acme.com/", null) + "]}";
        post("no-such-key", "/v1/batch", body).statusCode(401).body("success", equalTo(false));
        given().contentType("application/json").body(body).post("/v1/batch").then().statusCode(401);
        given().header("Authorization", "Bearer abc").contentType("application/json").body(body).post("/v1/batch").then().statusCode(401);
        // A wrong key in the header is refused before the body is decompressed or parsed: garbage gzip gets the 401.
        given().auth().preemptive().basic("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "").contentType("application/json")
                .header("Content-Encoding", "gzip").body("not gzip".getBytes(StandardCharsets.UTF_8)).post("/v1/batch")
                .then().statusCode(401).body("error", equalTo("unknown or revoked write key"));

        String admin = TestKeys.token(ws, "admin");
        Object id = graphql(admin, "mutation { createWriteKey(name: \"old\") { id } }").extract().path("data.createWriteKey.id");
        String key = graphql(admin, "{ writeKeys { id key } }").extract().path("data.writeKeys.find { it.id == '" + id + "' }.key");
        post(key, "/v1/batch", body).statusCode(200);
        graphql(admin, "mutation { revokeWriteKey(id: \"" + id + "\") { revokedAt } }").body("errors", nullValue());
        post(key, "/v1/batch", "{\"batch\":[" + page("k2", "https://acme.com/", null) + "]}").statusCode(401);
        assertEquals(1, feed("touches", ws).size());
    }

    @Test
    void theBodyWriteKeyIsUsedOnlyWithoutAnAuthorizationHeader() {
        String ws = workspace();
        String key = writeKey(ws);
        given().contentType("text/plain").body("{\"writeKey\":\"" + key + "\",\"batch\":[" + page("w1", "https://acme.com/", null) + "]}")
                .post("/v1/b").then().statusCode(200);
        given().auth().preemptive().basic("wrong", "").contentType("text/plain")
                .body("{\"writeKey\":\"" + key + "\",\"batch\":[" + page("w2", "https://acme.com/", null) + "]}")
                .post("/v1/b").then().statusCode(401);
        assertEquals(1, feed("touches", ws).size());
    }

    @Test
    void oversizedBodiesAndGzipBombsAre413() throws IOException {
        String key = writeKey(workspace());
        String big = "x".repeat(600_000);
        post(key, "/v1/batch", "{\"batch\":[],\"pad\":\"" + big + "\"}").statusCode(413);
        // A single message over 32 KB is refused; in a batch it is rejected alone.
        post(key, "/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"" + "y".repeat(40_000) + "\"}}").statusCode(413);
        post(key, "/v1/batch", "{\"batch\":[" + page("ok", "https://acme.com/", null)
                + ",{\"type\":\"track\",\"messageId\":\"huge\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"" + "y".repeat(40_000) + "\"}}]}")
                .statusCode(200).body("rejected[0].index", equalTo(1)).body("rejected[0].error", containsString("32768"));
        // 100 MB of zeros gzip to ~100 KB: refused once it inflates past 500 KB, never inflated whole.
        byte[] bomb = gzip(("{\"batch\":[],\"pad\":\"" + "0".repeat(100_000_000 / 10) + "\"}").getBytes(StandardCharsets.UTF_8));
        given().auth().preemptive().basic(key, "").contentType("application/json").header("Content-Encoding", "gzip")
                .body(bomb).post("/v1/batch").then().statusCode(413);
    }

    @Test
    void gzipBodiesWithAnyAcceptedContentTypeWork() throws IOException {
        String ws = workspace();
        String key = writeKey(ws);
        // As RudderStack sends: gzipped JSON labelled as a form, originalTimestamp and a per-message sentAt.
        Instant clientClock = Instant.now().plus(2, ChronoUnit.HOURS);
        String body = "{\"batch\":[{\"type\":\"track\",\"messageId\":\"r1\",\"anonymousId\":\"a\",\"event\":\"Signed Up\","
                + "\"originalTimestamp\":\"" + clientClock.minusSeconds(60) + "\",\"sentAt\":\"" + clientClock + "\"}]}";
        HttpResponse<String> response = rawPost("/v1/batch", gzip(body.getBytes(StandardCharsets.UTF_8)),
                "Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)),
                "Content-Type", "application/x-www-form-urlencoded; charset=UTF-8", "Content-Encoding", "gzip");
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> touch = payload(feed("touches", ws).get(0));
        Instant occurred = Instant.parse((String) touch.get("occurredAt"));
        // The client's clock was two hours ahead: corrected by sentAt, the event happened about a minute ago.
        assertTrue(Math.abs(Instant.now().minusSeconds(60).getEpochSecond() - occurred.getEpochSecond()) < 30, occurred.toString());
        assertEquals("FORM_FILL", touch.get("type"));
    }

    @Test
    void otherContentTypesAndEncodingsAre415() {
        String key = writeKey(workspace());
        given().auth().preemptive().basic(key, "").contentType("application/xml").body("<a/>").post("/v1/batch").then().statusCode(415);
        given().auth().preemptive().basic(key, "").contentType("application/json").header("Content-Encoding", "br")
                .body("{}").post("/v1/batch").then().statusCode(415);
    }

    @Test
    void bodiesMustBeStrictJson() {
        String key = writeKey(workspace());
        String ok = "{\"type\":\"track\",\"messageId\":\"m\",\"userId\":\"u\",\"event\":\"e\"}";
        for (String bad : List.of(
                "{\"batch\":[]} trailing",
                "{\"batch\":[]} {}",
                "{\"batch\":[] /* comment */}",
                "{\"batch\":[],\"n\":NaN}",
                "{\"batch\":[],\"batch\":[]}",
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"userId\":\"v\",\"event\":\"e\"}]}",
                "{\"batch\":[],}",
                "{'batch':[]}",
                "{\"batch\":[],\"deep\":" + "[".repeat(70) + "]".repeat(70) + "}",
                "[]")) {
            post(key, "/v1/batch", bad).statusCode(400).body("success", equalTo(false));
        }
        // Invalid UTF-8 (a lone continuation byte, an overlong encoding)
        for (byte[] bad : List.of(new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0x80, '"', '}'},
                new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'})) {
            given().auth().preemptive().basic(key, "").contentType("application/json").body(bad).post("/v1/batch")
                    .then().statusCode(400).body("error", containsString("UTF-8"));
        }
        // U+0000 and lone surrogates reject their message, naming the field; the batch's other messages are kept.
        post(key, "/v1/batch", "{\"batch\":[" + ok + ",{\"type\":\"track\",\"messageId\":\"z\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"n\":\"a\\u0000b\"}},"
                + "{\"type\":\"track\",\"messageId\":\"s\",\"userId\":\"u\",\"event\":\"\\ud800\"}]}")
                .statusCode(200)
                .body("rejected", hasSize(2))
                .body("rejected[0].field", equalTo("properties.n"))
                .body("rejected[1].field", equalTo("event"));
        // A valid surrogate pair is fine; 64 levels of nesting are fine.
        post(key, "/v1/track", "{\"userId\":\"u\",\"event\":\"\\ud83d\\ude00\",\"properties\":{\"p\":" + "[".repeat(62) + "]".repeat(62) + "}}")
                .statusCode(200);
    }

    @Test
    void malformedBodiesAre4xxNeverA5xxAndStoreNothing() throws IOException {
        String ws = workspace();
        String key = writeKey(ws);
        for (String bad : List.of(
                "",
                "   ",
                "{",
                "null",
                "\"batch\"",
                "{\"batch\":{}}",
                "{\"batch\":\"x\"}",
                "{\"batch\":[1e999999]}",
                "{\"batch\":[" + "9".repeat(5_000) + "]}")) {
            post(key, "/v1/batch", bad).statusCode(400).body("success", equalTo(false));
        }
        for (String bad : List.of("", "[]", "{\"userId\":{\"a\":1},\"event\":\"e\"}", "{\"userId\":\"u\",\"event\":7}",
                "{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":1e308}", "{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"not a time\"}",
                "{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"campaign\":{\"source\":\"" + "s".repeat(513) + "\"}}}",
                "{\"userId\":\"" + "u".repeat(2_000) + "\",\"event\":\"e\"}")) {
            post(key, "/v1/track", bad).statusCode(400).body("success", equalTo(false));
        }
        // Batch items that are not objects or have wrong types are rejected alone, by index.
        post(key, "/v1/batch", "{\"batch\":[7,\"x\",null,{\"type\":\"track\",\"messageId\":\"w\",\"userId\":\"u\",\"event\":[]},"
                + "{\"type\":\"nope\",\"messageId\":\"n\",\"userId\":\"u\"}]}")
                .statusCode(400).body("rejected.index", equalTo(List.of(0, 1, 2, 3, 4)));
        // gzip that is not gzip, truncated gzip, and an empty gzip body.
        byte[] gzipped = gzip("{\"batch\":[]}".getBytes(StandardCharsets.UTF_8));
        for (byte[] bad : List.of("not gzip at all".getBytes(StandardCharsets.UTF_8),
                java.util.Arrays.copyOf(gzipped, gzipped.length / 2), new byte[0])) {
            int status = given().auth().preemptive().basic(key, "").contentType("application/json").header("Content-Encoding", "gzip")
                    .body(bad).post("/v1/batch").then().extract().statusCode();
            assertTrue(status >= 400 && status < 500, "gzip garbage answered " + status);
        }
        assertEquals(0, feed("touches", ws).size());
        assertEquals(0, feed("identity-facts", ws).size());
    }

    @Test
    void otherEncodingsNulKeysAndMistypedKnownFieldsAre4xxNamingTheField() {
        String ws = workspace();
        String key = writeKey(ws);
        String track = "{\"userId\":\"u\",\"event\":\"Viewed\"}";
        // UTF-16 and UTF-32 bodies: NUL bytes that strict UTF-8 JSON never holds (they reached PostgreSQL as a 503).
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
                java.nio.charset.Charset.forName("UTF-32LE"))) {
            HttpResponse<String> r = rawPost("/v1/track", track.getBytes(charset), "Content-Type", "application/json",
                    "Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)));
            assertEquals(400, r.statusCode(), charset + ": " + r.body());
            assertTrue(r.body().contains("body"), r.body());
        }
        // A Basic user name with a NUL byte ("ab\0cd"), and a Bearer scheme: 401 with a JSON body saying why.
        HttpResponse<String> nul = rawPost("/v1/track", track.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", "Basic YWIAY2Q6");
        assertEquals(401, nul.statusCode(), nul.body());
        assertTrue(nul.body().contains("Authorization"), nul.body());
        HttpResponse<String> bearer = rawPost("/v1/track", track.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", "Bearer " + key);
        assertEquals(401, bearer.statusCode(), bearer.body());
        assertTrue(bearer.body().contains("Basic"), bearer.body());
        // Known fields of the spec with the wrong type, and a type that contradicts the call: rejected, field named.
        Map<String, String> bad = Map.of(
                "context.campaign.source", "{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"campaign\":{\"source\":1}}}",
                "context.campaign.medium", "{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"campaign\":{\"medium\":{}}}}",
                "type", "{\"type\":\"purchase\",\"userId\":\"u\",\"event\":\"Signed Up\"}");
        bad.forEach((field, body) -> post(key, "/v1/track", body).statusCode(400).body("rejected[0].field", equalTo(field)));
        post(key, "/v1/page", "{\"userId\":\"u\",\"name\":42}").statusCode(400).body("rejected[0].field", equalTo("name"));
        post(key, "/v1/batch", "{\"batch\":[{\"type\":\"page\",\"messageId\":\"ok\",\"userId\":\"u\",\"name\":\"Home\"},"
                + "{\"type\":\"page\",\"messageId\":\"n42\",\"userId\":\"u\",\"name\":42}]}")
                .statusCode(200).body("rejected.index", equalTo(List.of(1))).body("rejected[0].field", equalTo("name"));
        assertEquals(List.of("ok"), feed("touches", ws).stream().map(i -> (String) payload(i).get("id")).toList());
    }

    @Test
    void timestampsOutOfBoundsAreRejected() {
        String key = writeKey(workspace());
        post(key, "/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"1999-12-31T23:59:59Z\"}").statusCode(400)
                .body("error", containsString("timestamp"));
        post(key, "/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"" + Instant.now().plus(3, ChronoUnit.DAYS) + "\"}")
                .statusCode(400);
        post(key, "/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"2026-01-01T00:00:00\"}").statusCode(400)
                .body("error", containsString("offset"));
    }

    @Test
    void corsPreflightAllowsAuthorization() {
        given().header("Origin", "https://www.acme.com").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/v1/t").then().statusCode(org.hamcrest.Matchers.oneOf(200, 204))
                .header("Access-Control-Allow-Origin", "https://www.acme.com")
                .header("Access-Control-Allow-Headers", containsString("Authorization"));
        // Only the Segment paths: a page on another site may not call the GraphQL API from a browser.
        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/graphql").then().header("Access-Control-Allow-Origin", nullValue());
    }

    @Test
    void projectSettingsPointAnalyticsJsHere() {
        String key = writeKey(workspace());
        given().get("/v1/projects/" + key + "/settings").then().statusCode(200)
                .body("integrations.'Segment.io'.apiKey", equalTo(key))
                .body("integrations.'Segment.io'.apiHost", equalTo("localhost:8180/v1"));
        // The Host header is the caller's: it never decides where analytics.js sends events.
        given().header("Host", "evil.example").get("/v1/projects/" + key + "/settings").then().statusCode(200)
                .body("integrations.'Segment.io'.apiHost", equalTo("localhost:8180/v1"));
        given().get("/v1/projects/nope/settings").then().statusCode(404);
    }

    @Test
    void adminsEditTheChannelTaxonomyAndNewTouchesFollowIt() {
        String ws = workspace();
        String key = writeKey(ws);
        String admin = TestKeys.token(ws, "admin");
        graphql(admin, "{ channelTaxonomy { usesDefault rules { channel source medium sourceCategory } channels } }")
                .body("errors", nullValue())
                .body("data.channelTaxonomy.usesDefault", equalTo(true))
                .body("data.channelTaxonomy.rules[0].channel", equalTo("direct"))
                .body("data.channelTaxonomy.channels", org.hamcrest.Matchers.hasItems("paid_search", "organic_social", "other"));

        graphql(admin, "mutation { updateChannelTaxonomy(rules: [{channel: \"partners\", source: \"partner-.*\"},"
                + " {channel: \"paid_search\", sourceCategory: \"SEARCH\", medium: \"cpc|ppc\"}, {channel: \"rest\"}]) { usesDefault rules { channel } } }")
                .body("errors", nullValue())
                .body("data.updateChannelTaxonomy.usesDefault", equalTo(false))
                .body("data.updateChannelTaxonomy.rules.channel", equalTo(List.of("partners", "paid_search", "rest")));
        graphql(admin, "{ previewChannel(source: \"Partner-Acme\", medium: \"email\") { channel source utmValid } }")
                .body("data.previewChannel.channel", equalTo("partners"))
                .body("data.previewChannel.source", equalTo("partner-acme"));
        post(key, "/v1/batch", "{\"batch\":[" + page("tx1", "https://acme.com/?utm_source=partner-acme&utm_medium=email", null) + ","
                + page("tx2", "https://acme.com/?utm_source=capterra&utm_medium=cpc", null) + "]}").statusCode(200);
        Map<String, Map<String, Object>> touches = byId(feed("touches", ws));
        assertEquals("partners", touches.get("tx1").get("channel"));
        assertEquals(true, touches.get("tx1").get("utmValid"));
        assertEquals("rest", touches.get("tx2").get("channel"));
        assertEquals(false, touches.get("tx2").get("utmValid"), "only the catch-all maps it: flagged, not dropped");

        graphql(admin, "mutation { updateChannelTaxonomy(rules: [{channel: \"a\", source: \"x\"}, {channel: \"b\", medium: \"(cpc\"}]) { usesDefault } }")
                .body("errors[0].message", containsString("rules[1].medium: not a valid regular expression"));
        graphql(admin, "mutation { updateChannelTaxonomy(rules: [{channel: \"Paid Search\"}]) { usesDefault } }")
                .body("errors[0].message", containsString("rules[0].channel"));
        graphql(TestKeys.token(ws, "analyst"), "mutation { updateChannelTaxonomy(rules: [{channel: \"x\"}]) { usesDefault } }")
                .body("errors[0].message", containsString("needs the role admin"));
        graphql(admin, "mutation { resetChannelTaxonomy { usesDefault } }")
                .body("data.resetChannelTaxonomy.usesDefault", equalTo(true));
        graphql(TestKeys.token("other" + ws, "admin"), "{ channelTaxonomy { usesDefault } }")
                .body("data.channelTaxonomy.usesDefault", equalTo(true));
    }

    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    /**
     * Channel rules stored before rules were RE2 (a lookahead, a backreference) no longer compile: the workspace's touches
     * are classified with the default taxonomy, with a warning, instead of every event being refused.
     */
    @Test
    void storedRulesThatNoLongerCompileFallBackToTheDefaultTaxonomy() {
        String ws = workspace();
        String key = writeKey(ws);
        pool.preparedQuery("insert into channel_taxonomy (workspace_id, rules) values ($1, $2::text::jsonb)")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(ws, "[{\"channel\": \"legacy\", \"source\": \"(?=google).*\"},"
                        + " {\"channel\": \"rest\"}]")).await().indefinitely();
        post(key, "/v1/page", page("re2-1", "https://acme.com/?utm_source=google&utm_medium=cpc", null)).statusCode(200);
        Map<String, Object> touch = byId(feed("touches", ws)).get("re2-1");
        assertEquals("paid_search", touch.get("channel"), "the default taxonomy classifies it: " + touch);
        assertEquals(true, touch.get("utmValid"));
    }

    private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> items) {
        Map<String, Map<String, Object>> out = new java.util.HashMap<>();
        for (Map<String, Object> item : items) {
            out.put((String) payload(item).get("id"), payload(item));
        }
        return out;
    }

    /** A POST with exactly these bytes and headers (rest-assured would encode a form body itself). */
    static HttpResponse<String> rawPost(String path, byte[] body, String... headers) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                    .headers(headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
