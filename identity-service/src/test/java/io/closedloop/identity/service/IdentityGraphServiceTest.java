package io.closedloop.identity.service;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.SessionSettings;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the page-applying methods exactly as the feed consumers do (one transaction per page) and
 * checks the stored graph, the memberships feed and the GraphQL subgraph.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class IdentityGraphServiceTest {

    private static final AtomicLong SEQ = new AtomicLong();

    @Inject
    Pool pool;
    @Inject
    IdentityGraphService service;

    // ---- helpers building feed items as docs/feeds.md writes them

    private static JsonObject id(String type, String value) {
        return new JsonObject().put("type", type).put("value", value);
    }

    private static FeedItem fact(String ws, String kind, String factId, JsonObject account, JsonObject... ids) {
        JsonObject payload = new JsonObject().put("id", factId).put("occurredAt", "2026-03-01T12:00:00Z")
                .put("identifiers", new JsonArray(List.of((Object[]) ids)));
        if (account != null) {
            payload.put("account", account);
        }
        return new FeedItem(SEQ.incrementAndGet(), ws, kind, payload);
    }

    private static FeedItem account(String ws, String accountId, String... domains) {
        return new FeedItem(SEQ.incrementAndGet(), ws, "account", new JsonObject().put("id", accountId).put("name", accountId)
                .put("domains", new JsonArray(List.of((Object[]) domains))));
    }

    /** An erasure request as ingestion puts it on the identity-facts feed. */
    private static FeedItem erasure(String ws, String erasureId, JsonObject... ids) {
        return new FeedItem(SEQ.incrementAndGet(), ws, "erasure", new JsonObject().put("id", "erasure:" + erasureId)
                .put("occurredAt", "2026-03-02T00:00:00Z").put("identifiers", new JsonArray(List.of((Object[]) ids))));
    }

    private void facts(FeedItem... items) {
        pool.withTransaction(tx -> service.applyFacts(tx, List.of(items))).await().indefinitely();
    }

    private void crm(FeedItem... items) {
        pool.withTransaction(tx -> service.applyCrm(tx, List.of(items))).await().indefinitely();
    }

    private Map<String, String> row(String ws, String key) {
        var rows = pool.preparedQuery("select person_id, account_id from identifiers where workspace_id = $1 and key = $2")
                .execute(Tuple.of(ws, key)).await().indefinitely();
        if (rows.size() == 0) {
            return null;
        }
        var r = rows.iterator().next();
        Map<String, String> m = new java.util.HashMap<>();
        m.put("person", r.getString(0));
        m.put("account", r.getString(1));
        return m;
    }

    private List<JsonObject> memberships(String ws) {
        String body = RestAssured.given().auth().oauth2(TestKeys.serviceToken("identity/memberships"))
                .get("/feeds/memberships?limit=10000").then().statusCode(200).extract().asString();
        List<JsonObject> out = new ArrayList<>();
        new JsonObject(body).getJsonArray("items").forEach(o -> {
            JsonObject item = (JsonObject) o;
            if (item.getString("workspace").equals(ws)) {
                out.add(item);
            }
        });
        return out;
    }

    // ---- behaviour

    @Test
    void theServicesSessionsBoundStatementsAndIdleTransactionsAndCommitDurably() {
        var row = pool.query(SessionSettings.QUERY).execute().await().indefinitely().iterator().next();
        assertEquals(SessionSettings.EXPECTED, List.of(row.getString(0), row.getString(1), row.getString(2)));
    }

    @Test
    void anAnonymousVisitorWhoFillsAFormJoinsThePersonAndItsCrmAccountRetroactively() {
        String ws = "stitch";
        crm(account(ws, "001ACME", "www.acme.com"));
        facts(fact(ws, "identify", "m1", null, id("anonymous_id", "a1")));
        Map<String, String> before = row(ws, "anonymous_id:a1");
        assertNull(before.get("account"));

        facts(fact(ws, "link", "m2", null, id("anonymous_id", "a1"), id("email", " Ada@Sales.ACME.com ")));
        Map<String, String> anon = row(ws, "anonymous_id:a1");
        Map<String, String> email = row(ws, "email:ada@sales.acme.com");
        assertEquals(anon.get("person"), email.get("person"));
        assertEquals("001ACME", anon.get("account"));
        assertEquals(before.get("person"), anon.get("person"), "the person keeps the id of its earliest identifier");

        List<JsonObject> items = memberships(ws);
        JsonObject last = items.stream().filter(i -> i.getJsonObject("payload").getJsonObject("identifier").getString("value").equals("a1"))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("membership", last.getString("kind"));
        assertEquals("001ACME", last.getJsonObject("payload").getString("accountId"));

        graphql(TestKeys.token(ws, "analyst"), "{ person(identifier: {type: \"email\", value: \"ADA@sales.acme.com\"}) { id accountId identifiers { type value } } }")
                .body("errors", nullValue())
                .body("data.person.id", equalTo(anon.get("person")))
                .body("data.person.accountId", equalTo("001ACME"))
                .body("data.person.identifiers.value", hasItems("a1", "ada@sales.acme.com"));
        graphql(TestKeys.token(ws, "analyst"), "{ account(id: \"001ACME\") { id domains persons { id identifiers { value } }"
                + " identifiers { type value personId quarantined } } }")
                .body("errors", nullValue())
                .body("data.account.domains", hasItems("acme.com"))
                .body("data.account.persons[0].id", equalTo(anon.get("person")))
                .body("data.account.identifiers.value", contains("a1", "ada@sales.acme.com"))
                .body("data.account.identifiers.type", contains("anonymous_id", "email"))
                .body("data.account.identifiers.personId", contains(anon.get("person"), anon.get("person")))
                .body("data.account.identifiers.quarantined", contains(false, false));
        graphql(TestKeys.token("other", "analyst"), "{ account(id: \"001ACME\") { id } }")
                .body("data.account", nullValue());
    }

    @Test
    void anAccountArrivingAfterTheFactsStillResolvesThePerson() {
        String ws = "late-crm";
        facts(fact(ws, "identify", "m1", null, id("user_id", "u1"), id("email", "bob@initech.co.uk")));
        assertEquals("domain:initech.co.uk", row(ws, "user_id:u1").get("account"));
        crm(account(ws, "001INI", "initech.co.uk"));
        assertEquals("001INI", row(ws, "user_id:u1").get("account"));
    }

    @Test
    void aWholeCrmPageOfTenThousandItemsIsAppliedInItsLastStateWithAFixedNumberOfStatements() {
        // The largest page a consumer may ask for (FeedReader.MAX_LIMIT): accounts and contacts are written set-based,
        // not one statement after another (a chain of 10,000 statements never completed).
        String ws = "ws-crm-page";
        facts(fact(ws, "identify", "m-big", null, id("user_id", "u-big"), id("email", "ann@co4999.com")));
        List<FeedItem> page = new ArrayList<>();
        // The same account twice in one page: its last state wins, the domain it had before no longer finds it.
        page.add(account(ws, "001P4999", "old4999.com"));
        for (int i = 0; i < 4999; i++) {
            page.add(account(ws, "001P" + i, "co" + i + ".com"));
            page.add(new FeedItem(SEQ.incrementAndGet(), ws, "contact", new JsonObject().put("id", "003P" + i).put("accountId", "001P" + i)));
        }
        page.add(account(ws, "001P4999", "co4999.com"));
        assertEquals(10_000, page.size());
        pool.withTransaction(tx -> service.applyCrm(tx, page)).await().atMost(java.time.Duration.ofSeconds(60));
        assertEquals(5000L, pool.preparedQuery("select count(*) from accounts where workspace_id = $1").execute(Tuple.of(ws))
                .await().indefinitely().iterator().next().getLong(0));
        assertEquals(4999L, pool.preparedQuery("select count(*) from crm_contacts where workspace_id = $1").execute(Tuple.of(ws))
                .await().indefinitely().iterator().next().getLong(0));
        assertEquals(0L, pool.preparedQuery("select count(*) from account_domains where workspace_id = $1 and domain = 'old4999.com'")
                .execute(Tuple.of(ws)).await().indefinitely().iterator().next().getLong(0));
        // The person whose email has the account's domain is resolved to it by the same page.
        assertEquals("001P4999", row(ws, "email:ann@co4999.com").get("account"));
    }

    @Test
    void aCrmContactLinkWinsOverTheEmailDomain() {
        String ws = "contact";
        crm(account(ws, "001A", "alpha.com"), account(ws, "001B", "beta.com"));
        facts(fact(ws, "link", "003X", new JsonObject().put("id", "001B"),
                id("contact_id", "003X"), id("email", "eve@alpha.com")));
        assertEquals("001B", row(ws, "email:eve@alpha.com").get("account"));
    }

    @Test
    void aGmailAddressNeverJoinsAnAccount() {
        String ws = "gmail";
        crm(account(ws, "001G", "gmail.com"));
        facts(fact(ws, "identify", "m1", null, id("anonymous_id", "a9"), id("email", "someone@gmail.com")));
        assertNull(row(ws, "email:someone@gmail.com").get("account"));
        graphql(TestKeys.token(ws, "analyst"), "{ identityStats { persons unassignedPersons } }")
                .body("data.identityStats.persons", equalTo(1))
                .body("data.identityStats.unassignedPersons", equalTo(1));
    }

    @Test
    void twoGroupCallsNamingDifferentAccountsLeaveThePersonUnassignedAndCounted() {
        String ws = "ambiguous";
        facts(fact(ws, "group", "g1", new JsonObject().put("id", "ext-1"), id("user_id", "u1")),
                fact(ws, "group", "g2", new JsonObject().put("id", "ext-2"), id("user_id", "u1")));
        assertNull(row(ws, "user_id:u1").get("account"));
        graphql(TestKeys.token(ws, "analyst"), "{ identityStats { ambiguousPersons } }")
                .body("data.identityStats.ambiguousPersons", equalTo(1));
    }

    @Test
    void aCookieSharedByMorePersonsThanTheGuardIsQuarantinedAndReported() {
        String ws = "office";
        List<FeedItem> page = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            page.add(fact(ws, "identify", "m" + i, null, id("anonymous_id", "office-cookie"), id("email", "p" + i + "@corp.com")));
        }
        // two pages, so the guard also trips against persons already stored
        facts(page.subList(0, 30).toArray(FeedItem[]::new));
        facts(page.subList(30, 60).toArray(FeedItem[]::new));
        assertNotEquals(row(ws, "email:p1@corp.com").get("person"), row(ws, "email:p2@corp.com").get("person"));
        graphql(TestKeys.token(ws, "analyst"), "{ quarantinedIdentifiers { type value personsJoined } identityStats { persons quarantinedIdentifiers } }")
                .body("errors", nullValue())
                .body("data.quarantinedIdentifiers[0].value", equalTo("office-cookie"))
                .body("data.quarantinedIdentifiers[0].personsJoined", equalTo(60))
                .body("data.identityStats.persons", equalTo(61))
                .body("data.identityStats.quarantinedIdentifiers", equalTo(1));
    }

    @Test
    void erasingByOneIdentifierErasesTheWholePersonAndItsHistoryAndAFactArrivingLaterCannotBringItBack() {
        String ws = "erase";
        facts(fact(ws, "identify", "m1", null, id("anonymous_id", "a1"), id("email", "ada@acme.com")),
                fact(ws, "identify", "m2", null, id("anonymous_id", "a2"), id("email", "ada@acme.com")),
                fact(ws, "identify", "m9", null, id("anonymous_id", "b1"), id("email", "bob@acme.com")));
        String person = row(ws, "anonymous_id:a1").get("person");
        assertEquals(person, row(ws, "anonymous_id:a2").get("person"));
        // The request comes after a fact in flight on the same page: it is applied first, so its link is erased too.
        facts(fact(ws, "alias", "m3", null, id("anonymous_id", "a2"), id("user_id", "u-ada")), erasure(ws, "er1", id("email", "ada@acme.com")));
        for (String key : List.of("email:ada@acme.com", "anonymous_id:a1", "anonymous_id:a2", "user_id:u-ada")) {
            assertNull(row(ws, key), key);
        }
        assertNotNull(row(ws, "email:bob@acme.com"), "another person stays");
        assertTrue(memberships(ws).stream().noneMatch(i -> i.encode().contains("ada") || i.encode().contains("\"a1\"")
                || i.encode().contains("\"a2\"") || i.encode().contains(person)), "the person's history is gone from the feed");
        var report = pool.preparedQuery("select identifiers::text, removed::text from erasure_outbox where erasure_id = 'er1'").execute()
                .await().indefinitely().iterator().next();
        for (String value : List.of("ada@acme.com", "a1", "a2", "u-ada")) {
            assertTrue(report.getString(0).contains("\"" + value + "\""), "the report names " + value + ": " + report.getString(0));
        }
        assertEquals(new JsonObject().put("identifiers", 4).put("persons", 1).put("links", 3).put("memberships", 4),
                new JsonObject(report.getString(1)));

        facts(fact(ws, "identify", "m4", null, id("anonymous_id", "a3"), id("email", "ada@acme.com")));
        assertNull(row(ws, "email:ada@acme.com"));
        assertNotNull(row(ws, "anonymous_id:a3"));
    }

    @Test
    void replayingTheSamePagesChangesNothingAndWritesNoMembership() {
        String ws = "replay";
        FeedItem f1 = fact(ws, "identify", "m1", null, id("anonymous_id", "a1"), id("user_id", "u1"));
        FeedItem f2 = fact(ws, "alias", "m2", null, id("user_id", "u1"), id("user_id", "u1-new"));
        facts(f1, f2);
        int items = memberships(ws).size();
        Map<String, String> state = row(ws, "user_id:u1-new");
        facts(f1, f2);
        assertEquals(items, memberships(ws).size());
        assertEquals(state, row(ws, "user_id:u1-new"));
    }

    @Test
    void theMembershipsFeedNeedsTheServiceRoleAndNamesABadLimit() {
        RestAssured.given().auth().oauth2(TestKeys.token("acme", "analyst")).get("/feeds/memberships").then().statusCode(403);
        RestAssured.given().auth().oauth2(TestKeys.serviceToken("identity/memberships")).get("/feeds/memberships?limit=0")
                .then().statusCode(400).body(containsString("limit"));
        RestAssured.given().auth().oauth2(TestKeys.serviceToken("identity/memberships")).get("/feeds/memberships?after=nope")
                .then().statusCode(400).body(containsString("after"));
        RestAssured.given().get("/feeds/memberships").then().statusCode(401);
    }

    @Test
    void aPersonLookupWithABadIdentifierTypeIsAnErrorNamingTheField() {
        graphql(TestKeys.token("acme", "analyst"), "{ person(identifier: {type: \"fax\", value: \"1\"}) { id } }")
                .body("errors[0].message", containsString("person.identifier.type"));
    }

    @Test
    void personAndAccountAreFederationEntitiesResolvableById() {
        String ws = "federation";
        facts(fact(ws, "group", "g1", new JsonObject().put("id", "ext-9"), id("user_id", "u9")));
        String person = row(ws, "user_id:u9").get("person");
        graphql(TestKeys.token(ws, "analyst"), "{ accountsById(id: [\"ext-9\", \"zz\"]) { id persons { id } } personsById(id: [\"" + person + "\"]) { id } }")
                .body("errors", nullValue())
                .body("data.accountsById[0].persons[0].id", equalTo(person))
                .body("data.accountsById[1]", nullValue())
                .body("data.personsById[0].id", equalTo(person));
        graphql(TestKeys.token(ws, "analyst"), "{ _service { sdl } }")
                .body("data._service.sdl", containsString("type Person @key(fields : \"id\")"))
                .body("data._service.sdl", containsString("type Account @key(fields : \"id\")"));
        graphql(TestKeys.token(ws, "analyst"), "{ _entities(representations: [{__typename: \"Person\", id: \"" + person + "\"},"
                + " {__typename: \"Account\", id: \"ext-9\"}]) { ... on Person { id accountId } ... on Account { id persons { id } identifiers { value } } } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data._entities[0].accountId", equalTo("ext-9"))
                .body("data._entities[1].persons[0].id", equalTo(person))
                .body("data._entities[1].identifiers.value", contains("u9"));
        graphql(TestKeys.token(ws, "analyst"), "{ personById(id: \"" + person + "\") { accountId } account(id: \"ext-9\") { persons { id } } }")
                .body("errors", nullValue())
                .body("data.personById.accountId", equalTo("ext-9"))
                .body("data.account.persons[0].id", equalTo(person));

        // Many of each type in one request, as a federation gateway sends them: each in its place, unknown ones and another
        // workspace's null.
        facts(fact(ws, "group", "g2", new JsonObject().put("id", "ext-10"), id("user_id", "u10")),
                fact(ws, "group", "g3", new JsonObject().put("id", "ext-10"), id("user_id", "u11")),
                fact("other-" + ws, "group", "g4", new JsonObject().put("id", "ext-secret"), id("user_id", "u12")));
        String p10 = row(ws, "user_id:u10").get("person");
        String p11 = row(ws, "user_id:u11").get("person");
        String secret = row("other-" + ws, "user_id:u12").get("person");
        graphql(TestKeys.token(ws, "analyst"), "{ _entities(representations: ["
                + "{__typename: \"Account\", id: \"ext-10\"}, {__typename: \"Person\", id: \"" + p11 + "\"},"
                + " {__typename: \"Account\", id: \"nobody\"}, {__typename: \"Account\", id: \"ext-9\"},"
                + " {__typename: \"Person\", id: \"" + secret + "\"}, {__typename: \"Account\", id: \"ext-secret\"},"
                + " {__typename: \"Person\", id: \"" + p10 + "\"}])"
                + " { ... on Person { id accountId identifiers { value } } ... on Account { id persons { id } identifiers { value } } } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data._entities[0].id", equalTo("ext-10"))
                .body("data._entities[0].persons.id", containsInAnyOrder(p10, p11))
                .body("data._entities[0].identifiers.value", containsInAnyOrder("u10", "u11"))
                .body("data._entities[1].id", equalTo(p11))
                .body("data._entities[1].accountId", equalTo("ext-10"))
                .body("data._entities[2]", nullValue())
                .body("data._entities[3].persons[0].id", equalTo(person))
                .body("data._entities[4]", nullValue())
                .body("data._entities[5]", nullValue())
                .body("data._entities[6].identifiers.value", contains("u10"));
        // A caller without the role is told so, inside _entities too.
        graphql(TestKeys.token(ws, "ingest"), "{ _entities(representations: [{__typename: \"Account\", id: \"ext-10\"}])"
                + " { ... on Account { id } } }")
                .body("errors[0].message", containsString("analyst or admin"));
    }

    /**
     * The fast path (merging stored persons) against the full recompute: the same random pages —
     * merges, group calls, CRM links, a fact sent again with other identifiers, sequences committed
     * late, a cookie tripping the guard, erasures, CRM accounts and contacts — applied to two
     * workspaces, one allowed the fast path and one not, leave identical graphs and memberships feeds.
     */
    @Test
    void mergingStoredPersonsGivesExactlyWhatTheFullRecomputeGives() {
        String fast = "merge-fast";
        String full = "merge-full";
        for (String ws : List.of(fast, full)) {
            pool.preparedQuery("insert into identity_settings (workspace_id, explosion_guard_limit) values ($1, 6)")
                    .execute(Tuple.of(ws)).await().indefinitely();
        }
        java.util.Random random = new java.util.Random(7);
        String[] domains = {"acme.com", "initech.io", "globex.co.uk", "gmail.com"};
        List<String> factIds = new ArrayList<>();
        long seq = 1_000_000;
        long mergedBefore = service.mergedPages();
        for (int page = 0; page < 120; page++) {
            int kind = random.nextInt(20);
            if (kind == 0) {
                String account = "c" + random.nextInt(4);
                List<FeedItem> items = List.of(
                        new FeedItem(++seq, "", "account", new JsonObject().put("id", account).put("name", account)
                                .put("domains", new JsonArray().add(domains[random.nextInt(domains.length)]))),
                        new FeedItem(++seq, "", "contact", new JsonObject().put("id", "k" + random.nextInt(40))
                                .put("accountId", "c" + random.nextInt(4))));
                for (String ws : List.of(fast, full)) {
                    List<FeedItem> mine = items.stream().map(i -> new FeedItem(i.seq(), ws, i.kind(), i.payload())).toList();
                    pool.withTransaction(tx -> service.applyCrm(tx, mine)).await().indefinitely();
                }
                continue;
            }
            if (kind == 1) {
                JsonObject erased = random.nextBoolean() ? id("email", "e" + random.nextInt(300) + "@" + domains[random.nextInt(4)])
                        : id("user_id", "u" + random.nextInt(300));
                for (String ws : List.of(fast, full)) {
                    FeedItem item = new FeedItem(++seq, ws, "erasure", new JsonObject().put("id", "erasure:r" + seq)
                            .put("identifiers", new JsonArray().add(erased)));
                    pool.withTransaction(tx -> service.applyFacts(tx, List.of(item))).await().indefinitely();
                }
                continue;
            }
            List<FeedItem> items = new ArrayList<>();
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                JsonArray ids = new JsonArray();
                JsonObject account = null;
                String type = "identify";
                switch (random.nextInt(6)) {
                    case 0 -> {
                        type = "group";
                        ids.add(id("user_id", "u" + random.nextInt(300)));
                        account = new JsonObject().put("id", "g" + random.nextInt(3));
                    }
                    case 1 -> {
                        type = "link";
                        ids.add(id("contact_id", "k" + random.nextInt(40))).add(id("email", "e" + random.nextInt(300) + "@" + domains[random.nextInt(4)]));
                        account = new JsonObject().put("id", "c" + random.nextInt(4));
                    }
                    case 2 -> ids.add(id("anonymous_id", "shared")).add(id("user_id", "u" + random.nextInt(300)));
                    case 3 -> {
                        type = "alias";
                        ids.add(id("anonymous_id", "a" + random.nextInt(1000))).add(id("user_id", "u" + random.nextInt(300)));
                    }
                    default -> ids.add(id("anonymous_id", "a" + random.nextInt(1000)))
                            .add(id("email", "e" + random.nextInt(300) + "@" + domains[random.nextInt(4)]));
                }
                // now and then a fact sent again with other identifiers, or one committed late with an earlier sequence
                String factId = !factIds.isEmpty() && random.nextInt(15) == 0 ? factIds.get(random.nextInt(factIds.size())) : "f" + factIds.size();
                factIds.add(factId);
                long itemSeq = random.nextInt(25) == 0 ? seq - 500 - random.nextInt(100) : ++seq;
                JsonObject payload = new JsonObject().put("id", factId).put("identifiers", ids);
                if (account != null) {
                    payload.put("account", account);
                }
                items.add(new FeedItem(itemSeq, "", type, payload));
            }
            pool.withTransaction(tx -> service.applyFacts(tx, items.stream().map(i -> new FeedItem(i.seq(), fast, i.kind(), i.payload())).toList(), true))
                    .await().indefinitely();
            pool.withTransaction(tx -> service.applyFacts(tx, items.stream().map(i -> new FeedItem(i.seq(), full, i.kind(), i.payload())).toList(), false))
                    .await().indefinitely();
        }
        for (String query : List.of(
                "select key, person_id, account_id, first_seq, quarantined, persons_joined, domain from identifiers where workspace_id = $1 order by key",
                "select person_id, account_id, ambiguous, quarantined, identifiers, earliest_key, earliest_seq, personal, evidence::text"
                        + " from persons where workspace_id = $1 order by person_id",
                "select fact_id, kind, seq, account_id, members from links where workspace_id = $1 order by fact_id",
                "select key, fact_id from link_members where workspace_id = $1 order by key, fact_id",
                "select kind, payload::text from memberships where workspace_id = $1 order by 1, 2")) {
            // Person ids are keyed per workspace: compared by the earliest identifier they derive from.
            assertEquals(canonical(full, dump(full, query)), canonical(fast, dump(fast, query)), query);
        }
        long merged = service.mergedPages() - mergedBefore;
        assertTrue(merged > 40, "pages merged: " + merged);
        String persons = dump(full, "select count(*), count(*) filter (where quarantined), count(distinct account_id) from persons where workspace_id = $1");
        assertNotEquals("[[0, 0, 0]]", persons);
        assertTrue(dump(full, "select key from identifiers where workspace_id = $1 and quarantined").contains("anonymous_id:shared"), persons);
    }

    /** The dump with each person id replaced by its earliest identifier, rows sorted. */
    private String canonical(String ws, String dump) {
        Map<String, String> earliest = new java.util.HashMap<>();
        pool.preparedQuery("select person_id, earliest_key from persons where workspace_id = $1").execute(Tuple.of(ws)).await().indefinitely()
                .forEach(r -> earliest.put(r.getString(0), "P(" + r.getString(1) + ")"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("p_[0-9a-f]{20}").matcher(dump);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(earliest.getOrDefault(m.group(), "P(gone)")));
        }
        m.appendTail(out);
        String text = out.toString();
        List<String> rows = new ArrayList<>(List.of(text.substring(1, text.length() - 1).split("(?<=\\]), (?=\\[)")));
        java.util.Collections.sort(rows);
        return rows.toString();
    }

    private String dump(String ws, String query) {
        List<String> out = new ArrayList<>();
        pool.preparedQuery(query).execute(Tuple.of(ws)).await().indefinitely().forEach(r -> {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                Object v = r.getValue(i);
                row.add(v instanceof Object[] a ? java.util.Arrays.toString(a) : String.valueOf(v));
            }
            out.add(row.toString());
        });
        return out.toString();
    }
}
