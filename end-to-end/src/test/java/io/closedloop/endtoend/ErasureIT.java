package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's proof, against the four packaged services: persons built from every kind of data (two anonymous sessions,
 * one before identify, a URL and a referrer holding the email, traits with names and a phone, an alias, a group call, a
 * CRM contact, an offline touch by phone, a won opportunity with a contact role, a CSV import whose error sample quotes
 * the email) are erased by one identifier each, of each kind in turn (email, anonymous id, CRM contact id). Then every
 * text, json, jsonb and text[] column of every table of every service database is scanned for every personal value
 * (found generically from information_schema): nothing, while a control person who was not erased is found everywhere.
 * The same after identity and attribution are reset to the start of every feed and caught up again, and in the logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErasureIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<ServiceName> DATABASES = List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION);

    static RunningSystem running;

    @BeforeAll
    void start() throws Exception {
        running = startSystem();
    }

    /** The four services; ErasureOverKafkaIT runs the same tests with the feeds over Kafka. */
    RunningSystem startSystem() throws Exception {
        // One row per delete: the job must run in many committed chunks.
        return RunningSystem.start(Map.of(ServiceName.INGESTION, Map.of("CLOSEDLOOP_INGESTION_ERASURE_CHUNK_SIZE", "1")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    /** One person's data and every personal value it holds (the CRM contact id is the company's key: exempt). */
    record Person(int n, String email, String phone, String anonBefore, String anonAfter, String userId, String firstName,
                  String lastName, String contactId) {

        /** Person 4 is a consumer (B2C): a free-mail address, no company, an opportunity naming no account. */
        static Person of(int n) {
            return new Person(n, "zelda.quixote" + n + (n == 4 ? "@gmail.com" : "@erasetest-corp.example"), "+4915550" + n + "0" + n + "77", "anon-before-" + n + "-x7",
                    "anon-after-" + n + "-x7", "user-zq-" + n + "-x7", "Zeldaerase" + n, "Quixoterase" + n, "c-zq-" + n);
        }

        boolean b2c() {
            return n == 4;
        }

        List<String> values(String personId) {
            return List.of(email, email.substring(0, email.indexOf('@')), phone, anonBefore, anonAfter, userId, firstName, lastName, personId);
        }
    }

    @Test
    void erasingByAnyOneIdentifierLeavesNothingOfThePersonInAnyDatabaseFeedOrLog() throws Exception {
        String ws = "erase" + UUID.randomUUID().toString().substring(0, 8);
        String key = writeKey(ws);
        ingest(ws, "upsertAccounts", "AccountInput", List.of(Map.of("id", "001ERASE", "name", "Erase Corp",
                "domains", List.of("erasetest-corp.example"))));
        List<Person> persons = List.of(Person.of(0), Person.of(1), Person.of(2), Person.of(3), Person.of(4));
        for (Person p : persons) {
            build(ws, key, p);
        }
        Map<Person, String> personIds = new LinkedHashMap<>();
        for (Person p : persons) {
            personIds.put(p, awaitPerson(ws, p));
        }
        awaitAttributionTouches(ws, 3 * persons.size()); // two page views and the call each

        assertEquals("person:" + personIds.get(persons.get(4)), graphql(ServiceName.ATTRIBUTION, running.token(ws, "analyst"),
                "{ opportunityJourney(opportunityId: \"opp-zq-4\", model: {name: LINEAR}) { accountId } }").path("data")
                        .path("opportunityJourney").path("accountId").asText(),
                "a consumer is their own account (B2C)");

        // Erase person 1 by email, 2 by an anonymous id from before they identified, 3 by CRM contact id.
        String first = erase(ws, "email", persons.get(1).email().toUpperCase(Locale.ROOT));
        // A client retrying at once, while the job waits for identity and attribution (a request after a finished job starts a new one).
        assertEquals(first, erase(ws, "email", persons.get(1).email()), "the same request twice is one erasure");
        List<String> jobs = List.of(first,
                erase(ws, "anonymous_id", persons.get(2).anonBefore()),
                erase(ServiceName.GATEWAY, ws, "contact_id", persons.get(3).contactId()),
                erase(ws, "email", persons.get(4).email()));
        // The jobs survive a crash of the services that drive them, wherever they are: they resume.
        running.system.killAndRestart(ServiceName.IDENTITY);
        running.system.killAndRestart(ServiceName.INGESTION);
        for (String job : jobs) {
            JsonNode done = awaitErasure(ws, job);
            JsonNode ingestion = done.path("services").get(0);
            assertTrue(ingestion.path("chunks").asInt() > 3, "committed in many chunks (chunk size 1): " + done);
            assertTrue(done.toString().contains("\"kind\":\"touches\""), done.toString());
            for (Person p : persons) {
                assertFalse(done.toString().contains(p.email()), "the report names counts, never values: " + done);
            }
        }

        List<String> erased = new ArrayList<>();
        for (Person p : persons.subList(1, 5)) {
            erased.addAll(p.values(personIds.get(p)));
        }
        assertEquals(List.of(), scan(erased), "personal values of erased persons left in the databases");
        List<String> control = scan(persons.get(0).values(personIds.get(persons.get(0))));
        for (ServiceName db : DATABASES) {
            assertTrue(control.stream().anyMatch(hit -> hit.startsWith(db.database() + ".")), "the scan finds the control person in "
                    + db.database() + ": " + control);
        }
        assertTrue(control.stream().anyMatch(hit -> hit.contains(persons.get(0).anonBefore())), control.toString());

        // The opportunities stay, without the erased persons' touches; the control person's keeps its journey.
        assertEquals(0, journeyTouches(ws, "opp-zq-1"));
        assertEquals(0, journeyTouches(ws, "opp-zq-3"));
        assertEquals(0, journeyTouches(ws, "opp-zq-4"));
        assertEquals("erased:" + jobs.get(3), graphql(ServiceName.ATTRIBUTION, running.token(ws, "analyst"), "{ opportunityJourney("
                + "opportunityId: \"opp-zq-4\", model: {name: LINEAR}) { accountId } }").path("data").path("opportunityJourney")
                .path("accountId").asText(),
                "the consumer's deal keeps a pseudonymous account of its own");
        assertTrue(journeyTouches(ws, "opp-zq-0") > 0);

        // Reports reconcile under every model: credited + unattributed = won revenue (5 deals of 1,000.00). With the account
        // as journey the control person's touches credit every company deal; with contact roles the erased persons' deals have
        // none; the consumer's deal has none either way.
        for (String model : List.of("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "u_shaped", "w_shaped",
                "full_path", "j_shaped", "inverse_j", "markov", "shapley")) {
            for (String scope : List.of("ACCOUNT", "CONTACT_ROLES")) {
                JsonNode report = graphql(ServiceName.ATTRIBUTION, running.token(ws, "analyst"), "{ attribution(period: {from:"
                        + " \"2026-03-01\", to: \"2026-03-31\"}, model: {name: " + model.toUpperCase(java.util.Locale.ROOT)
                        + ", journeyScope: " + scope + "}, basis: REVENUE)"
                        + " { rows { amount } attributedOpportunities unattributedOpportunities unattributedAmount } }");
                assertTrue(report.path("errors").isMissingNode(), report.toString());
                JsonNode a = report.path("data").path("attribution");
                double credited = 0;
                for (JsonNode row : a.path("rows")) {
                    credited += row.path("amount").asDouble();
                }
                int unattributed = a.path("unattributedOpportunities").asInt();
                assertEquals(1000.0 * unattributed, a.path("unattributedAmount").asDouble(), 1e-9, model + " " + scope + ": " + a);
                assertEquals(5000.0, credited + a.path("unattributedAmount").asDouble(), 1e-6, model + " " + scope + ": " + a);
                assertEquals(scope.equals("ACCOUNT") ? 1 : 4, unattributed, model + " " + scope + ": " + a);
            }
        }

        // The erased persons do not come back: their data is refused from now on.
        assertEquals("REJECTED", ingest(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", persons.get(1).contactId(),
                "accountId", "001ERASE"))).get(0).path("status").asText());
        segment(key, "/v1/page", "{\"messageId\":\"late-1\",\"anonymousId\":\"" + persons.get(1).anonAfter()
                + "\",\"timestamp\":\"2026-03-05T10:00:00Z\"}");

        // Identity and attribution reset to the start of every feed rebuild no trace of them.
        replayFromTheStart();
        assertEquals(List.of(), scan(erased), "personal values came back from a replay of the feeds");
        assertFalse(scan(persons.get(0).values(personIds.get(persons.get(0)))).isEmpty());

        for (ServiceName s : ServiceName.values()) {
            String log = Files.readString(running.system.service(s).log(), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            for (String value : erased) {
                assertFalse(log.contains(value.toLowerCase(Locale.ROOT)), s.module() + "'s log holds " + value);
            }
        }
    }

    /**
     * hashIdentifiers (DESIGN §6): a workspace that turns it on before sending data never stores an email, phone or name in the
     * clear in any service, and identity still resolves the person and matches their account by the email's corporate domain.
     */
    @Test
    void aWorkspaceWithHashedIdentifiersResolvesPersonsAndAccountsWithoutTheirValuesInAnyDatabase() throws Exception {
        String ws = "hashed" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode set = graphql(ServiceName.INGESTION, running.token(ws, "admin"),
                "mutation { updatePrivacySettings(hashIdentifiers: true) { hashIdentifiers } }");
        assertTrue(set.path("data").path("updatePrivacySettings").path("hashIdentifiers").asBoolean(), set.toString());
        String key = writeKey(ws);
        // The account is found by the email's domain alone: no CRM contact, no group call.
        ingest(ws, "upsertAccounts", "AccountInput", List.of(Map.of("id", "001HASH", "name", "Hash Corp", "domains", List.of("hashcorp.example"))));
        Person p = new Person(9, "ottoline.vex9@hashcorp.example", "+4915550909077", "anon-before-9-x7", "anon-after-9-x7",
                "user-zq-9-x7", "Ottolinehash", "Vexhash", "c-zq-9");
        String t = "\"timestamp\":\"2026-03-01T10:00:00Z\"";
        segment(key, "/v1/page", "{\"messageId\":\"h-pg\",\"anonymousId\":\"" + p.anonBefore() + "\",\"properties\":{"
                + "\"url\":\"https://hashcorp.example/pricing?email=" + p.email() + "&phone=" + p.phone() + "\"}," + t + "}");
        segment(key, "/v1/identify", "{\"messageId\":\"h-id\",\"anonymousId\":\"" + p.anonBefore() + "\",\"traits\":{\"email\":\""
                + p.email() + "\",\"firstName\":\"" + p.firstName() + "\",\"lastName\":\"" + p.lastName() + "\",\"phone\":\"" + p.phone()
                + "\"}," + t + "}");
        ingest(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(Map.of("id", "h-call", "occurredAt", "2026-03-02T15:00:00Z",
                "phone", p.phone(), "type", "CALL")));
        String stored = graphql(ServiceName.INGESTION, running.token(ws, "admin"), "{ storedIdentifier(identifier: {type: \"email\", value: \""
                + p.email() + "\"}) }").path("data").path("storedIdentifier").asText();
        assertTrue(stored.endsWith("@hashcorp.example") && !stored.contains("ottoline"), stored);

        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode person;
        while (true) {
            person = graphql(ServiceName.IDENTITY, running.token(ws, "analyst"), "{ person(identifier: {type: \"email\", value: \"" + stored
                    + "\"}) { id accountId identifiers { type value } } }").path("data").path("person");
            if (person.path("accountId").asText("").equals("001HASH") && person.path("identifiers").size() == 3) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "identity did not resolve the hashed person to the account: " + person);
            Thread.sleep(200);
        }
        assertTrue(graphql(ServiceName.IDENTITY, running.token(ws, "analyst"), "{ person(identifier: {type: \"email\", value: \""
                + p.email() + "\"}) { id } }").path("data").path("person").isNull(), "the plain email is nowhere");
        awaitAttributionTouches(ws, 2);
        List<String> clear = List.of(p.email(), p.email().substring(0, p.email().indexOf('@')), p.phone(), p.phone().substring(1),
                p.firstName(), p.lastName());
        assertEquals(List.of(), scan(clear), "values in the clear in a workspace with hashIdentifiers");
    }

    // ---- building a person from every kind of data

    private static void build(String ws, String key, Person p) throws Exception {
        String t = "\"timestamp\":\"2026-03-0" + (p.n() + 1) + "T10:00:00Z\"";
        segment(key, "/v1/page", "{\"messageId\":\"pg-before-" + p.n() + "\",\"anonymousId\":\"" + p.anonBefore() + "\",\"properties\":{"
                + "\"url\":\"https://erasetest-corp.example/pricing?utm_source=google&utm_medium=cpc&email=" + p.email() + "\","
                + "\"referrer\":\"https://mail.example/inbox?to=" + p.email() + "\"}," + t + "}");
        segment(key, "/v1/identify", "{\"messageId\":\"id-" + p.n() + "\",\"anonymousId\":\"" + p.anonBefore() + "\",\"userId\":\""
                + p.userId() + "\",\"traits\":{\"email\":\"" + p.email() + "\",\"firstName\":\"" + p.firstName() + "\",\"lastName\":\""
                + p.lastName() + "\",\"phone\":\"" + p.phone() + "\"}," + t + "}");
        segment(key, "/v1/page", "{\"messageId\":\"pg-after-" + p.n() + "\",\"anonymousId\":\"" + p.anonAfter() + "\",\"properties\":{"
                + "\"url\":\"https://erasetest-corp.example/docs?utm_source=newsletter&utm_medium=email\"}," + t + "}");
        segment(key, "/v1/alias", "{\"messageId\":\"al-" + p.n() + "\",\"previousId\":\"" + p.anonAfter() + "\",\"anonymousId\":\""
                + p.anonAfter() + "\",\"userId\":\"" + p.userId() + "\"," + t + "}");
        if (!p.b2c()) {
            segment(key, "/v1/group", "{\"messageId\":\"gr-" + p.n() + "\",\"userId\":\"" + p.userId() + "\",\"groupId\":\"001ERASE\","
                    + "\"traits\":{\"name\":\"Erase Corp\"}," + t + "}");
        }
        Map<String, Object> contact = new LinkedHashMap<>(Map.of("id", p.contactId(), "email", p.email(), "createdAt", "2026-03-01T00:00:00Z"));
        Map<String, Object> opportunity = new LinkedHashMap<>(Map.of("id", "opp-zq-" + p.n(), "amount", "1000", "currency", "USD",
                "createdAt", "2026-03-10T00:00:00Z", "status", "WON", "closedAt", "2026-03-20T00:00:00Z",
                "contactRoles", List.of(Map.of("contactId", p.contactId(), "role", "Decision Maker"))));
        if (!p.b2c()) {
            contact.put("accountId", "001ERASE");
            opportunity.put("accountId", "001ERASE");
        }
        ingest(ws, "upsertContacts", "ContactInput", List.of(contact));
        ingest(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(Map.of("id", "call-" + p.n(), "occurredAt",
                "2026-03-0" + (p.n() + 2) + "T15:00:00Z", "phone", p.phone(), "type", "CALL")));
        ingest(ws, "upsertOpportunities", "OpportunityInput", List.of(opportunity));
        csvImport(ws, "\"Contact ID\",\"Email\"\n\"c-bad-" + p.n() + "\",\"" + p.email() + " (work)\"\n");
    }

    private static String awaitPerson(String ws, Person p) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode person = graphql(ServiceName.IDENTITY, running.token(ws, "analyst"), "{ person(identifier: {type: \"email\", value: \""
                    + p.email() + "\"}) { id identifiers { type value } } }").path("data").path("person");
            String ids = person.path("identifiers").toString();
            if (ids.contains(p.anonBefore()) && ids.contains(p.anonAfter()) && ids.contains(p.contactId()) && ids.contains(p.phone())) {
                return person.path("id").asText();
            }
            assertTrue(System.nanoTime() < deadline, "identity did not resolve person " + p.n() + ": " + person);
            Thread.sleep(200);
        }
    }

    /** Until attribution holds {@code touches} touches of the workspace with their memberships. */
    private static void awaitAttributionTouches(String ws, int touches) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (Connection c = running.database(ServiceName.ATTRIBUTION);
             PreparedStatement s = c.prepareStatement("select count(*) from touch t where t.workspace_id = ? and exists"
                     + " (select 1 from membership m where m.workspace_id = t.workspace_id and m.identifier = any(t.identifiers))")) {
            while (true) {
                s.setString(1, ws);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getLong(1) >= touches) {
                        return;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "attribution did not get every touch");
                Thread.sleep(200);
            }
        }
    }

    // ---- the scan

    /** "db.table.column: n rows" for every text, json, jsonb or text[] column of every table holding any of the values. */
    static List<String> scan(List<String> values) throws SQLException {
        List<String> hits = new ArrayList<>();
        String[] patterns = values.stream().map(v -> "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                .toArray(String[]::new);
        for (ServiceName db : DATABASES) {
            try (Connection c = running.database(db)) {
                List<String[]> columns = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("""
                        select c.table_name, c.column_name from information_schema.columns c
                        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
                        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
                          and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb') or c.udt_name in ('_text', '_varchar'))
                        order by 1, 2""")) {
                    while (r.next()) {
                        columns.add(new String[]{r.getString(1), r.getString(2)});
                    }
                }
                assertTrue(columns.size() > 10, db + ": " + columns.size() + " columns");
                for (String[] column : columns) {
                    String sql = "select count(*) from \"" + column[0] + "\" where \"" + column[1] + "\"::text ilike any(?)";
                    try (PreparedStatement s = c.prepareStatement(sql)) {
                        s.setArray(1, c.createArrayOf("text", patterns));
                        try (ResultSet r = s.executeQuery()) {
                            r.next();
                            if (r.getLong(1) > 0) {
                                hits.add(db.database() + "." + column[0] + "." + column[1] + ": " + r.getLong(1) + " rows "
                                        + matching(c, column, values));
                            }
                        }
                    }
                }
            }
        }
        return hits;
    }

    /** Which of the values a column holds (for the failure message). */
    private static List<String> matching(Connection c, String[] column, List<String> values) throws SQLException {
        List<String> found = new ArrayList<>();
        for (String v : values) {
            try (PreparedStatement s = c.prepareStatement("select 1 from \"" + column[0] + "\" where strpos(lower(\"" + column[1]
                    + "\"::text), lower(?)) > 0 limit 1")) {
                s.setString(1, v);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        found.add(v);
                    }
                }
            }
        }
        return found;
    }

    // ---- the replay

    /**
     * Stops identity and attribution, deletes every consumer position (the start of every feed), starts them again and
     * waits until each has read every feed to its end.
     */
    private static void replayFromTheStart() throws Exception {
        List<ServiceName> consumers = List.of(ServiceName.IDENTITY, ServiceName.ATTRIBUTION);
        for (ServiceName s : consumers) {
            running.system.service(s).stop();
            try (Connection c = running.database(s); Statement st = c.createStatement()) {
                assertTrue(st.executeUpdate("delete from feed_position") > 0, s + " had positions");
            }
        }
        for (ServiceName s : consumers) {
            ServiceProcess p = running.system.service(s);
            p.start();
            p.awaitReady(Duration.ofSeconds(120));
        }
        running.awaitConsumersCaughtUp(WAIT);
    }

    // ---- API calls

    static String erase(String ws, String type, String value) throws Exception {
        return erase(ServiceName.INGESTION, ws, type, value);
    }

    /** Through ingestion's GraphQL or the gateway's public graph (which forwards it). */
    private static String erase(ServiceName via, String ws, String type, String value) throws Exception {
        JsonNode r = graphql(via, running.token(ws, "admin"), "mutation { erasePerson(identifiers: [{type: \""
                + type + "\", value: \"" + value + "\"}]) { id state } }");
        assertTrue(r.path("errors").isMissingNode(), r.toString());
        return r.path("data").path("erasePerson").path("id").asText();
    }

    static JsonNode awaitErasure(String ws, String id) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode job = graphql(ServiceName.GATEWAY, running.token(ws, "admin"), "{ erasure(id: \"" + id + "\") { id state finishedAt"
                    + " services { service state reason chunks removed { kind count } } } }").path("data").path("erasure");
            if ("DONE".equals(job.path("state").asText())) {
                return job;
            }
            assertTrue(System.nanoTime() < deadline, "erasure " + id + " not done: " + job);
            Thread.sleep(200);
        }
    }

    private static int journeyTouches(String ws, String opportunityId) throws Exception {
        JsonNode r = graphql(ServiceName.ATTRIBUTION, running.token(ws, "analyst"), "{ opportunityJourney(opportunityId: \""
                + opportunityId + "\", model: {name: LINEAR, journeyScope: CONTACT_ROLES}) { touches { touchId } } }");
        assertTrue(r.path("errors").isMissingNode(), r.toString());
        return r.path("data").path("opportunityJourney").path("touches").size();
    }

    static String writeKey(String ws) throws Exception {
        return graphql(ServiceName.INGESTION, running.token(ws, "admin"), "mutation { createWriteKey(name: \"site\") { key } }")
                .path("data").path("createWriteKey").path("key").asText();
    }

    private static JsonNode ingest(String ws, String mutation, String type, List<Map<String, Object>> items) throws Exception {
        String argument = switch (mutation) {
            case "upsertAccounts" -> "accounts";
            case "upsertContacts" -> "contacts";
            case "upsertOpportunities" -> "opportunities";
            default -> "touches";
        };
        String query = "mutation($items: [" + type + "!]!) { " + mutation + "(" + argument + ": $items) { status field error } }";
        JsonNode r = post(running.url(ServiceName.INGESTION) + "/graphql", "Bearer " + running.token(ws, "ingest"),
                JSON.writeValueAsString(Map.of("query", query, "variables", Map.of("items", items))));
        assertTrue(r.path("errors").isMissingNode(), r.toString());
        return r.path("data").path(mutation);
    }

    static void segment(String key, String path, String body) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
        JsonNode r = post(running.url(ServiceName.INGESTION) + path, basic, body);
        assertTrue(r.path("success").asBoolean(), r.toString());
    }

    private static void csvImport(String ws, String csv) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(running.url(ServiceName.INGESTION) + "/imports/contacts?mapping=salesforce"))
                .header("Authorization", "Bearer " + running.token(ws, "ingest")).header("Content-Type", "text/csv; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(csv)).build();
        HttpResponse<String> started = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).path("id").asText();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode job = graphql(ServiceName.INGESTION, running.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { state rowsRejected"
                    + " errors { edges { node { error } } } } }").path("data").path("importJob");
            if (!"RUNNING".equals(job.path("state").asText())) {
                assertEquals(1, job.path("rowsRejected").asInt(), job.toString());
                return;
            }
            assertTrue(System.nanoTime() < deadline, "import not finished: " + job);
            Thread.sleep(100);
        }
    }

    static JsonNode graphql(ServiceName service, String token, String query) throws Exception {
        return post(running.url(service) + "/graphql", "Bearer " + token, JSON.writeValueAsString(Map.of("query", query)));
    }

    private static JsonNode post(String url, String authorization, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
