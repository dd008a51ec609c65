package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.launcher.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity resolution through the public APIs only: events and CRM objects go into ingestion (Segment
 * HTTP API with a write key, CRM mutations with an ingest token, erasePerson with an admin token), the
 * packaged identity service follows ingestion's feeds, and the result is read from identity's GraphQL
 * (analyst token) and its memberships feed (service token).
 */
class IdentityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(90);

    static RunningSystem running;

    @BeforeAll
    static void start() throws Exception {
        running = RunningSystem.startOnly(ServiceName.INGESTION, ServiceName.IDENTITY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void anAnonymousVisitorWhoFillsAFormBecomesAPersonOnTheAccountWithAllFourTouches() throws Exception {
        String ws = workspace();
        upsertAccounts(ws, "{id: \"001ACME\", name: \"Acme\", domains: [\"https://www.acme.com\"]}");
        String key = writeKey(ws);
        ArrayNode batch = JSON.createArrayNode();
        for (String path : List.of("/", "/pricing", "/docs")) {
            batch.add(message("page", "v1-page" + batch.size(), "anon-visitor")
                    .set("properties", JSON.createObjectNode().put("url", "https://acme-site.com" + path).put("path", path)));
        }
        segment(key, "/v1/batch", JSON.createObjectNode().set("batch", batch));
        ObjectNode form = message("track", "v1-form", "anon-visitor").put("event", "Form Submitted");
        form.set("properties", JSON.createObjectNode().put("email", " Ada.Lovelace@Mail.ACME.com "));
        segment(key, "/v1/track", form);

        List<JsonNode> touches = ingestionFeed("touches", ws);
        assertEquals(4, touches.size());
        assertEquals("FORM_FILL", touches.get(3).path("payload").path("type").asText());

        String email = "email:ada.lovelace@mail.acme.com";
        Map<String, JsonNode> state = awaitMemberships(ws, s -> s.containsKey(email) && s.containsKey("anonymous_id:anon-visitor")
                && "001ACME".equals(s.get(email).path("accountId").asText(null))
                && s.get(email).path("personId").equals(s.get("anonymous_id:anon-visitor").path("personId")));
        String personId = state.get(email).path("personId").asText();
        assertEquals(personId(ws, List.of("anonymous_id:anon-visitor", email)), personId, "the id derives from the earliest identifier");
        String unkeyed = "p_" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("anonymous_id:anon-visitor".getBytes(StandardCharsets.UTF_8)), 0, 10);
        assertNotEquals(unkeyed, personId, "an id anyone could compute from a guessed identifier");
        for (JsonNode touch : touches) {
            for (JsonNode id : touch.path("payload").path("identifiers")) {
                JsonNode membership = state.get(id.path("type").asText() + ":" + id.path("value").asText());
                assertEquals(personId, membership.path("personId").asText(), touch.toString());
                assertEquals("001ACME", membership.path("accountId").asText(), touch.toString());
            }
        }
        assertEquals(Set.of("anonymous_id:anon-visitor", email), state.keySet());

        JsonNode person = analyst(ws, "{ person(identifier: {type: \"email\", value: \"ADA.LOVELACE@mail.acme.com\"}) "
                + "{ id accountId ambiguous quarantined identifiers { type value } } }").path("person");
        assertEquals(personId, person.path("id").asText());
        assertEquals("001ACME", person.path("accountId").asText());
        assertFalse(person.path("ambiguous").asBoolean());
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"anon-visitor\"},{\"type\":\"email\",\"value\":\"ada.lovelace@mail.acme.com\"}]",
                person.path("identifiers").toString());
        JsonNode account = analyst(ws, "{ account(id: \"001ACME\") { id name domains persons { id } "
                + "identifiers { type value personId } } }").path("account");
        assertEquals("Acme", account.path("name").asText());
        assertEquals("[\"acme.com\"]", account.path("domains").toString());
        assertEquals("[{\"id\":\"" + personId + "\"}]", account.path("persons").toString());
        assertEquals(2, account.path("identifiers").size());
    }

    @Test
    void aGmailAddressNeverJoinsAnAccount() throws Exception {
        String ws = workspace();
        // Even an account that (wrongly) lists gmail.com as its domain does not take gmail users.
        upsertAccounts(ws, "{id: \"001G\", name: \"Google-ish\", domains: [\"gmail.com\"]}");
        // The crm and identity-facts feeds are consumed independently: wait until identity knows the
        // account, so the identify below is resolved while it could (wrongly) match.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (analyst(ws, "{ account(id: \"001G\") { id } }").path("account").isNull()) {
            assertTrue(System.nanoTime() < deadline, "identity never received account 001G from the crm feed");
            Thread.sleep(100);
        }
        String key = writeKey(ws);
        ObjectNode identify = message("identify", "g-identify", "anon-g").put("userId", "u-g");
        identify.set("traits", JSON.createObjectNode().put("email", "bob@gmail.com"));
        segment(key, "/v1/identify", identify);
        ObjectNode corporate = message("identify", "c-identify", "anon-c");
        corporate.set("traits", JSON.createObjectNode().put("email", "carol@initech.io"));
        segment(key, "/v1/identify", corporate);

        Map<String, JsonNode> state = awaitMemberships(ws, s -> s.size() == 5);
        String gmailPerson = state.get("email:bob@gmail.com").path("personId").asText();
        for (String id : List.of("email:bob@gmail.com", "anonymous_id:anon-g", "user_id:u-g")) {
            assertEquals(gmailPerson, state.get(id).path("personId").asText());
            assertTrue(state.get(id).path("accountId").isNull(), id + " has no account: " + state.get(id));
        }
        // The corporate address next to it does get its domain account: the consumer did resolve accounts.
        assertEquals("domain:initech.io", state.get("email:carol@initech.io").path("accountId").asText());
        JsonNode person = analyst(ws, "{ person(identifier: {type: \"email\", value: \"bob@gmail.com\"}) { accountId ambiguous } }").path("person");
        assertTrue(person.path("accountId").isNull());
        assertFalse(person.path("ambiguous").asBoolean());
        assertTrue(analyst(ws, "{ account(id: \"domain:gmail.com\") { id } }").path("account").isNull());
        assertEquals("[]", analyst(ws, "{ account(id: \"001G\") { persons { id } } }").path("account").path("persons").toString());
        assertEquals(1, analyst(ws, "{ identityStats { unassignedPersons } }").path("identityStats").path("unassignedPersons").asInt());
    }

    @Test
    void aCookieSharedBy500PeopleIsQuarantinedAndMergesNobody() throws Exception {
        String ws = workspace();
        String key = writeKey(ws);
        for (int b = 0; b < 5; b++) {
            ArrayNode batch = JSON.createArrayNode();
            for (int i = b * 100; i < (b + 1) * 100; i++) {
                ObjectNode identify = message("identify", "office-" + i, "office-cookie");
                identify.set("traits", JSON.createObjectNode().put("email", "employee" + i + "@globex.com"));
                batch.add(identify);
            }
            segment(key, "/v1/batch", JSON.createObjectNode().set("batch", batch));
        }

        Map<String, JsonNode> state = awaitMemberships(ws, s -> s.size() == 501);
        JsonNode quarantined = analyst(ws, "{ quarantinedIdentifiers { type value personsJoined } }").path("quarantinedIdentifiers");
        assertEquals(1, quarantined.size(), quarantined.toString());
        assertEquals("anonymous_id", quarantined.get(0).path("type").asText());
        assertEquals("office-cookie", quarantined.get(0).path("value").asText());
        assertEquals(500, quarantined.get(0).path("personsJoined").asInt());

        Set<String> persons = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            JsonNode m = state.get("email:employee" + i + "@globex.com");
            persons.add(m.path("personId").asText());
            assertEquals("domain:globex.com", m.path("accountId").asText());
        }
        assertEquals(500, persons.size(), "every employee stays a person of their own");
        String cookiePerson = state.get("anonymous_id:office-cookie").path("personId").asText();
        assertFalse(persons.contains(cookiePerson));
        JsonNode employee = analyst(ws, "{ person(identifier: {type: \"email\", value: \"employee7@globex.com\"}) { identifiers { value } } }");
        assertEquals("[{\"value\":\"employee7@globex.com\"}]", employee.path("person").path("identifiers").toString());
        JsonNode stats = analyst(ws, "{ identityStats { persons quarantinedIdentifiers } }").path("identityStats");
        assertEquals(501, stats.path("persons").asInt());
        assertEquals(1, stats.path("quarantinedIdentifiers").asInt());
    }

    @Test
    void erasingAnEmailSplitsThePersonAndRemovesTheLink() throws Exception {
        String ws = workspace();
        upsertAccounts(ws, "{id: \"001ACME\", name: \"Acme\", domains: [\"acme.com\"]}");
        String key = writeKey(ws);
        // Two devices tied together only by the email address.
        for (String device : List.of("laptop", "phone")) {
            ObjectNode identify = message("identify", "e-" + device, "anon-" + device);
            identify.set("traits", JSON.createObjectNode().put("email", "eve@acme.com"));
            segment(key, "/v1/identify", identify);
        }
        Map<String, JsonNode> before = awaitMemberships(ws, s -> s.size() == 3
                && s.get("anonymous_id:anon-laptop").path("personId").equals(s.get("anonymous_id:anon-phone").path("personId"))
                && "001ACME".equals(s.get("anonymous_id:anon-phone").path("accountId").asText(null)));
        String merged = before.get("email:eve@acme.com").path("personId").asText();
        assertEquals(personId(ws, List.of("anonymous_id:anon-laptop", "email:eve@acme.com")), merged);

        JsonNode erased = graphql(ServiceName.INGESTION, running.token(ws, "admin"),
                "mutation { erasePerson(identifiers: [{type: \"email\", value: \"eve@acme.com\"}]) { id state } }")
                .path("erasePerson");
        assertEquals("PENDING", erased.path("state").asText());

        // The whole person goes, both devices with the email, and so does its history on the memberships feed.
        List<JsonNode> feed = new ArrayList<>();
        Map<String, JsonNode> after = awaitMemberships(ws, feed, s -> !s.containsKey("email:eve@acme.com"));
        assertEquals(Set.of(), after.keySet(), feed.toString());
        assertEquals("[]", feed.toString(), "no item of the erased person is left on the memberships feed");
        assertTrue(analyst(ws, "{ person(identifier: {type: \"email\", value: \"eve@acme.com\"}) { id } }").path("person").isNull());
        assertTrue(analyst(ws, "{ person(identifier: {type: \"anonymous_id\", value: \"anon-phone\"}) { id } }").path("person").isNull());
        assertTrue(analyst(ws, "{ personById(id: \"" + merged + "\") { id } }").path("personById").isNull());
        assertEquals("[]", analyst(ws, "{ account(id: \"001ACME\") { persons { id } } }").path("account").path("persons").toString());
        // Identity reported the person's identifiers to ingestion, which deleted their touches; attribution is not running here.
        JsonNode job = awaitErasureDeleted(ws, erased.path("id").asText());
        assertEquals("DONE", job.path("services").get(1).path("state").asText(), job.toString());
        assertEquals(List.of(), ingestionFeed("touches", ws).stream()
                .filter(t -> t.toString().contains("anon-laptop") || t.toString().contains("anon-phone")).toList());

        // A later fact naming the erased email does not bring it back.
        ObjectNode late = message("identify", "e-late", "anon-laptop");
        late.set("traits", JSON.createObjectNode().put("email", "eve@acme.com"));
        segment(key, "/v1/identify", late);
        ObjectNode marker = message("identify", "e-marker", "anon-marker");
        marker.set("traits", JSON.createObjectNode().put("email", "marker@acme.com"));
        segment(key, "/v1/identify", marker);
        Map<String, JsonNode> later = awaitMemberships(ws, s -> s.containsKey("email:marker@acme.com"));
        assertFalse(later.containsKey("email:eve@acme.com"));
    }

    /**
     * A few thousand facts; identity is killed with SIGKILL while it consumes them and restarted. It ends
     * in the state computed from the facts, identical to a second identity service on a fresh database
     * that consumed the same feeds from the start without interruption (a reset to the start).
     */
    @Test
    void aConsumerKilledMidFeedEndsLikeOneThatNeverStopped() throws Exception {
        String ws = workspace();
        int people = 800;
        StringBuilder accounts = new StringBuilder();
        for (int a = 0; a < 40; a++) {
            accounts.append("{id: \"001K").append(a).append("\", name: \"K").append(a).append("\", domains: [\"k").append(a).append(".com\"]}");
        }
        upsertAccounts(ws, accounts.toString());
        String key = writeKey(ws);
        List<ArrayNode> batches = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            ArrayNode batch = JSON.createArrayNode();
            for (int i = 0; i < people; i++) {
                batch.add(fact(round, i));
            }
            for (int from = 0; from < batch.size(); from += 400) {
                ArrayNode part = JSON.createArrayNode();
                for (int j = from; j < Math.min(from + 400, batch.size()); j++) {
                    part.add(batch.get(j));
                }
                batches.add(part);
            }
        }
        int facts = people * 4;

        // Kill identity while it consumes: half the facts are in, the rest arrive while it is down and after.
        for (int b = 0; b < batches.size() / 2; b++) {
            segment(key, "/v1/batch", JSON.createObjectNode().set("batch", batches.get(b)));
        }
        Map<String, JsonNode> partial = awaitMemberships(ws, s -> !s.isEmpty());
        Thread sender = new Thread(() -> {
            try {
                for (int b = batches.size() / 2; b < batches.size(); b++) {
                    segment(key, "/v1/batch", JSON.createObjectNode().set("batch", batches.get(b)));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sender.start();
        Thread.sleep(150);
        running.system.service(ServiceName.IDENTITY).kill();
        sender.join();
        assertTrue(partial.size() < people * 5, "killed before it was done: " + partial.size() + " identifiers resolved");
        assertEquals(facts, ingestionFeed("identity-facts", ws).size());
        running.system.service(ServiceName.IDENTITY).start();
        running.system.service(ServiceName.IDENTITY).awaitReady(Duration.ofSeconds(120));

        Map<String, String[]> expected = new TreeMap<>();
        for (int i = 0; i < people; i++) {
            String person = personId(ws, List.of("anonymous_id:k-anon-" + i + "-a"));
            String account = "001K" + (i % 40);
            for (String id : List.of("anonymous_id:k-anon-" + i + "-a", "anonymous_id:k-anon-" + i + "-b",
                    "anonymous_id:k-anon-" + i + "-c", "user_id:k-user-" + i, "email:k" + i + "@k" + (i % 40) + ".com")) {
                expected.put(id, new String[]{person, account});
            }
        }
        Map<String, JsonNode> restarted = awaitMemberships(running.url(ServiceName.IDENTITY), ws, new ArrayList<>(),
                s -> s.size() == expected.size() && matches(expected, s));
        assertEquals(summary(expected), summary(restarted));

        // A second identity service on a fresh database, following the same ingestion from the start.
        String prefix = "e2e_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        try (ClosedLoopSystem fresh = ClosedLoopSystem.on(Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize(),
                TestPostgres.server(), false, TestKeys.keys(), prefix)) {
            Map<ServiceName, Integer> ports = new EnumMap<>(ServiceName.class);
            for (ServiceName s : ServiceName.values()) {
                ports.put(s, 0);
            }
            ports.put(ServiceName.INGESTION, URI.create(running.url(ServiceName.INGESTION)).getPort());
            fresh.start(EnumSet.of(ServiceName.IDENTITY), ports, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                    Path.of("target", "service-logs", prefix));
            Map<String, JsonNode> uninterrupted = awaitMemberships(fresh.service(ServiceName.IDENTITY).url(), ws, new ArrayList<>(),
                    s -> s.size() == expected.size() && matches(expected, s));
            assertEquals(summary(restarted), summary(uninterrupted));
            assertEquals(dump(running.url(ServiceName.IDENTITY), ws, people), dump(fresh.service(ServiceName.IDENTITY).url(), ws, people));
        }
    }

    // ---- the data of the kill test: four facts per person over four rounds, so every page mixes persons

    private static ObjectNode fact(int round, int i) {
        String user = "k-user-" + i;
        return switch (round) {
            case 0 -> {
                ObjectNode m = message("identify", "k0-" + i, "k-anon-" + i + "-a").put("userId", user);
                m.set("traits", JSON.createObjectNode().put("email", "k" + i + "@k" + (i % 40) + ".com"));
                yield m;
            }
            case 1 -> message("identify", "k1-" + i, "k-anon-" + i + "-b").put("userId", user);
            case 2 -> message("alias", "k2-" + i, "k-anon-" + i + "-c").put("previousId", "k-anon-" + i + "-c").put("userId", user);
            default -> {
                ObjectNode m = message("group", "k3-" + i, "k-anon-" + i + "-b").put("userId", user).put("groupId", "001K" + (i % 40));
                yield m;
            }
        };
    }

    private static boolean matches(Map<String, String[]> expected, Map<String, JsonNode> state) {
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            JsonNode m = state.get(e.getKey());
            if (m == null || !e.getValue()[0].equals(m.path("personId").asText()) || !e.getValue()[1].equals(m.path("accountId").asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static String summary(Map<String, ?> state) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(state).forEach((id, v) -> {
            String[] pa = v instanceof String[] s ? s : new String[]{((JsonNode) v).path("personId").asText(), ((JsonNode) v).path("accountId").asText(null)};
            out.append(id).append(" -> ").append(pa[0]).append(" / ").append(pa[1]).append('\n');
        });
        return out.toString();
    }

    /** Persons and accounts as identity's GraphQL tells them, for comparing two instances. */
    private static String dump(String identityUrl, String ws, int people) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int a = 0; a < 40; a++) {
            out.append(post(identityUrl + "/graphql", "Bearer " + running.token(ws, "analyst"), graphqlBody(
                    "{ account(id: \"001K" + a + "\") { id name domains persons { id accountId ambiguous quarantined identifiers { type value quarantined } } } }"))
                    .path("data").toString()).append('\n');
        }
        out.append(post(identityUrl + "/graphql", "Bearer " + running.token(ws, "analyst"),
                graphqlBody("{ identityStats { persons unassignedPersons ambiguousPersons quarantinedIdentifiers } }")).path("data"));
        assertTrue(out.toString().contains("\"persons\":" + people), out.toString());
        return out.toString();
    }

    // ---- calls

    private static String workspace() {
        return "id" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String writeKey(String ws) throws Exception {
        return graphql(ServiceName.INGESTION, running.token(ws, "admin"), "mutation { createWriteKey(name: \"site\") { key } }")
                .path("createWriteKey").path("key").asText();
    }

    private static void upsertAccounts(String ws, String accounts) throws Exception {
        JsonNode results = graphql(ServiceName.INGESTION, running.token(ws, "ingest"),
                "mutation { upsertAccounts(accounts: [" + accounts + "]) { status error } }").path("upsertAccounts");
        for (JsonNode r : results) {
            assertEquals("CREATED", r.path("status").asText(), results.toString());
        }
    }

    /** Until ingestion has deleted what names the person (its part of the job is done). */
    private static JsonNode awaitErasureDeleted(String ws, String id) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode job = graphql(ServiceName.INGESTION, running.token(ws, "admin"), "{ erasure(id: \"" + id + "\") { state"
                    + " services { service state removed { kind count } } } }").path("erasure");
            if ("DONE".equals(job.path("services").get(0).path("state").asText())) {
                return job;
            }
            assertTrue(System.nanoTime() < deadline, "ingestion did not delete the erased person's data: " + job);
            Thread.sleep(200);
        }
    }

    private static ObjectNode message(String type, String messageId, String anonymousId) {
        ObjectNode m = JSON.createObjectNode().put("type", type).put("messageId", messageId).put("anonymousId", anonymousId)
                .put("timestamp", "2026-03-01T12:00:00Z");
        return m;
    }

    private static void segment(String writeKey, String path, ObjectNode body) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        JsonNode response = post(running.url(ServiceName.INGESTION) + path, basic, body.toString());
        assertTrue(response.path("success").asBoolean(), response.toString());
        assertTrue(response.path("rejected").isMissingNode() || response.path("rejected").isEmpty(), response.toString());
    }

    private static JsonNode analyst(String ws, String query) throws Exception {
        return graphql(ServiceName.IDENTITY, running.token(ws, "analyst"), query);
    }

    private static JsonNode graphql(ServiceName service, String token, String query) throws Exception {
        JsonNode response = post(running.url(service) + "/graphql", "Bearer " + token, graphqlBody(query));
        assertTrue(response.path("errors").isMissingNode(), response.toString());
        return response.path("data");
    }

    private static String graphqlBody(String query) {
        return JSON.createObjectNode().put("query", query).toString();
    }

    private static JsonNode post(String url, String authorization, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** Every item of one of ingestion's feeds about {@code ws}, paging from the start. */
    private static List<JsonNode> ingestionFeed(String stream, String ws) throws Exception {
        return feed(running.url(ServiceName.INGESTION), stream, ws);
    }

    private static List<JsonNode> feed(String baseUrl, String stream, String ws) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String after = "";
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/feeds/" + stream + "?limit=10000&after=" + after))
                    .header("Authorization", "Bearer " + running.serviceToken()).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = JSON.readTree(response.body());
            if (page.path("items").isEmpty()) {
                return items;
            }
            for (JsonNode item : page.path("items")) {
                if (ws.equals(item.path("workspace").asText())) {
                    items.add(item);
                }
            }
            after = page.path("next").asText();
        }
    }

    private interface StateCheck {
        boolean test(Map<String, JsonNode> state);
    }

    private static Map<String, JsonNode> awaitMemberships(String ws, StateCheck done) throws Exception {
        return awaitMemberships(running.url(ServiceName.IDENTITY), ws, new ArrayList<>(), done);
    }

    private static Map<String, JsonNode> awaitMemberships(String ws, List<JsonNode> items, StateCheck done) throws Exception {
        return awaitMemberships(running.url(ServiceName.IDENTITY), ws, items, done);
    }

    /**
     * Reads identity's memberships feed of {@code ws} until {@code done} holds for its final state
     * (identifier key → the payload of its last item; a {@code removed} item drops the identifier).
     * {@code items} receives the whole feed of the workspace as last read.
     */
    private static Map<String, JsonNode> awaitMemberships(String identityUrl, String ws, List<JsonNode> items, StateCheck done)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, JsonNode> state = Map.of();
        while (System.nanoTime() < deadline) {
            List<JsonNode> feed = feed(identityUrl, "memberships", ws);
            state = new LinkedHashMap<>();
            for (JsonNode item : feed) {
                JsonNode p = item.path("payload");
                String id = p.path("identifier").path("type").asText() + ":" + p.path("identifier").path("value").asText();
                if (item.path("kind").asText().equals("removed")) {
                    state.remove(id);
                } else {
                    state.put(id, p);
                }
            }
            if (done.test(state)) {
                items.clear();
                items.addAll(feed);
                return state;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("identity did not reach the expected state in " + WAIT + "; memberships now: "
                + (state.size() > 20 ? state.size() + " identifiers" : state));
    }

    /**
     * DESIGN §9: a person's id derives from the earliest identifier of its component (here the first listed), keyed with
     * identity's secret and the workspace (identity's graph/PersonIds), so nobody without the secret can compute it.
     */
    private static String personId(String ws, List<String> keys) throws Exception {
        byte[] workspaceKey = hmac(TestKeys.keys().privacyKey("identity").getBytes(StandardCharsets.UTF_8), "person-id\u0000" + ws);
        return "p_" + HexFormat.of().formatHex(hmac(workspaceKey, keys.get(0)), 0, 10);
    }

    private static byte[] hmac(byte[] key, String message) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }
}
