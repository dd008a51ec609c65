package io.closedloop.ingestion.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.closedloop.ingestion.graphql.CrmApiTest.call;
import static io.closedloop.ingestion.graphql.CrmApiTest.upsert;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The federated entities Account and Opportunity as a gateway resolves them: {@code _entities} with many representations,
 * answered in their order, one SQL statement per entity type (and one per distinct page of Account.opportunities), never
 * one per entity; another workspace's rows never answer.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class CrmEntitiesTest {

    static final String ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename %s } }";
    static final String FIELDS = """
            ... on Account { id industry crmCreatedAt opportunities(first: 2) { totalCount edges { node { id status amount } }
                                                                             pageInfo { hasNextPage endCursor } } }
            ... on Opportunity { id accountId name amount currency stage status createdAt closedAt stageHistory { stage enteredAt }
                                 contactRoles { contactId role } }""";

    /** Two workspaces: the caller's, and another one with some of the same ids, and ids of its own. */
    private static String seed() {
        String ws = "ent" + UUID.randomUUID().toString().substring(0, 8);
        upsert(ws, "upsertAccounts", "AccountInput", List.of(
                Map.of("id", "A1", "name", "Acme", "industry", "Software", "createdAt", "2025-01-02T03:04:05Z"),
                Map.of("id", "A2", "name", "Retail Co", "industry", "Retail"),
                Map.of("id", "A3", "name", "Quiet Ltd")))
                .body("errors", nullValue());
        upsert(ws, "upsertOpportunities", "OpportunityInput", List.of(
                Map.of("id", "O1", "accountId", "A1", "name", "Acme renewal", "amount", "110000", "createdAt", "2025-02-01T00:00:00Z",
                        "stage", "Prospecting", "status", "OPEN",
                        "contactRoles", List.of(Map.of("contactId", "C1", "role", "Decision Maker"), Map.of("contactId", "C2")),
                        "stageHistory", List.of(Map.of("stage", "Prospecting", "enteredAt", "2025-02-01T00:00:00Z"),
                                Map.of("stage", "Demo", "enteredAt", "2025-02-10T09:30:00Z"))),
                Map.of("id", "O2", "accountId", "A1", "name", "Acme upsell", "amount", "5.5", "createdAt", "2025-03-01T00:00:00Z",
                        "stage", "Closed Won", "status", "WON", "closedAt", "2025-04-01T00:00:00Z"),
                // Created at the same time as O2: the id breaks the tie (descending), so O3 comes first.
                Map.of("id", "O3", "accountId", "A1", "name", "Acme add-on", "amount", "20", "createdAt", "2025-03-01T00:00:00Z",
                        "status", "LOST", "closedAt", "2025-03-15T00:00:00Z"),
                Map.of("id", "O4", "accountId", "A2", "name", "Retail deal", "createdAt", "2025-01-15T00:00:00Z")))
                .body("errors", nullValue())
                .body("data.upsertOpportunities.status", everyItem(equalTo("CREATED")));

        String other = ws + "x";
        upsert(other, "upsertAccounts", "AccountInput", List.of(Map.of("id", "A1", "industry", "Secret"),
                Map.of("id", "B9", "industry", "Hidden"))).body("errors", nullValue());
        upsert(other, "upsertOpportunities", "OpportunityInput", List.of(
                Map.of("id", "O1", "accountId", "A1", "name", "Other workspace's", "amount", "999", "createdAt", "2025-06-01T00:00:00Z"),
                Map.of("id", "X1", "accountId", "A1", "name", "Other workspace's too", "createdAt", "2025-06-02T00:00:00Z")))
                .body("errors", nullValue());
        return ws;
    }

    private static Map<String, Object> account(String id) {
        return Map.of("__typename", "Account", "id", id);
    }

    private static Map<String, Object> opportunity(String id) {
        return Map.of("__typename", "Opportunity", "id", id);
    }

    static JsonPath entities(String token, String fields, List<Map<String, Object>> representations) {
        return call(token, ENTITIES.formatted(fields), Map.of("r", representations)).extract().jsonPath();
    }

    /** The cursor of an opportunity's place: base64url of opp:<created_at in µs>:<id> (graphql/OpportunityPages). */
    private static String cursor(String createdAt, String id) {
        long micros = Instant.parse(createdAt).toEpochMilli() * 1000;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("opp:" + micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** A map that may hold nulls, from alternating keys and values. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> unknownAccount(String id) {
        return map("__typename", "Account", "id", id, "industry", null, "crmCreatedAt", null,
                "opportunities", map("totalCount", 0, "edges", List.of(), "pageInfo", map("hasNextPage", false, "endCursor", null)));
    }

    private static Map<String, Object> node(String id, String status, String amount) {
        return map("node", map("id", id, "status", status, "amount", amount));
    }

    @Test
    void entitiesOfManyRepresentationsAnswerInTheirOrderAndNeverFromAnotherWorkspace() {
        String ws = seed();
        JsonPath answer = entities(TestKeys.token(ws, "analyst"), FIELDS, List.of(
                account("A1"), opportunity("O1"), account("nope"), opportunity("nope"), account("B9"), opportunity("X1"),
                account("A2"), opportunity("O2"), account("A3"), account("A1"), opportunity("O4")));
        assertNull(answer.get("errors"));
        List<Map<String, Object>> got = answer.getList("data._entities");

        Map<String, Object> a1 = map("__typename", "Account", "id", "A1", "industry", "Software", "crmCreatedAt", "2025-01-02T03:04:05.000Z",
                "opportunities", map("totalCount", 3,
                        "edges", List.of(node("O3", "LOST", "20.00"), node("O2", "WON", "5.50")),
                        "pageInfo", map("hasNextPage", true, "endCursor", cursor("2025-03-01T00:00:00Z", "O2"))));
        Map<String, Object> o1 = map("__typename", "Opportunity", "id", "O1", "accountId", "A1", "name", "Acme renewal",
                "amount", "110000.00", "currency", "USD", "stage", "Prospecting", "status", "OPEN", "createdAt", "2025-02-01T00:00:00.000Z",
                "closedAt", null,
                "stageHistory", List.of(map("stage", "Prospecting", "enteredAt", "2025-02-01T00:00:00.000Z"),
                        map("stage", "Demo", "enteredAt", "2025-02-10T09:30:00.000Z")),
                "contactRoles", List.of(map("contactId", "C1", "role", "Decision Maker"), map("contactId", "C2", "role", null)));
        Map<String, Object> a2 = map("__typename", "Account", "id", "A2", "industry", "Retail", "crmCreatedAt", null,
                "opportunities", map("totalCount", 1, "edges", List.of(node("O4", "OPEN", null)),
                        "pageInfo", map("hasNextPage", false, "endCursor", cursor("2025-01-15T00:00:00Z", "O4"))));
        Map<String, Object> o2 = map("__typename", "Opportunity", "id", "O2", "accountId", "A1", "name", "Acme upsell",
                "amount", "5.50", "currency", "USD", "stage", "Closed Won", "status", "WON", "createdAt", "2025-03-01T00:00:00.000Z",
                "closedAt", "2025-04-01T00:00:00.000Z", "stageHistory", List.of(), "contactRoles", List.of());
        Map<String, Object> o4 = map("__typename", "Opportunity", "id", "O4", "accountId", "A2", "name", "Retail deal",
                "amount", null, "currency", null, "stage", null, "status", "OPEN", "createdAt", "2025-01-15T00:00:00.000Z",
                "closedAt", null, "stageHistory", List.of(), "contactRoles", List.of());
        List<Map<String, Object>> expected = Arrays.asList(a1, o1, unknownAccount("nope"), null,
                unknownAccount("B9"), null, a2, o2, map("__typename", "Account", "id", "A3", "industry", null, "crmCreatedAt", null,
                        "opportunities", map("totalCount", 0, "edges", List.of(), "pageInfo", map("hasNextPage", false, "endCursor", null))),
                a1, o4);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), got.get(i), "representation " + i);
        }
    }

    @Test
    void eachEntityTypeIsOneStatementHoweverManyRepresentations() {
        String ws = seed();
        String token = TestKeys.token(ws, "analyst");
        List<Map<String, Object>> many = new ArrayList<>(List.of(account("A1"), opportunity("O1"), account("A2"), opportunity("O2"),
                account("A3"), opportunity("O3"), account("B9"), opportunity("O4"), account("A1"), opportunity("X1")));
        for (int i = 0; i < 40; i++) {
            many.add(account("unknown" + i));
            many.add(opportunity("unknown" + i));
        }
        List<Map<String, Object>> one = List.of(account("A1"), opportunity("O1"));

        // accounts, their opportunity pages, opportunities: 3 statements for 50 accounts and 50 opportunities as for 1 and 1.
        assertEquals(3, fewestStatements(() -> entities(token, FIELDS, many)));
        assertEquals(3, fewestStatements(() -> entities(token, FIELDS, one)));
        // Without Account.opportunities asked, none read; each representation is resolved whatever the fields asked.
        assertEquals(2, fewestStatements(() -> entities(token, "... on Account { industry }", many)));
        // Two different pages asked (aliases): one statement each, for all the accounts.
        assertEquals(4, fewestStatements(() -> entities(token, "... on Account { recent: opportunities(first: 1) { totalCount }"
                + " all: opportunities { totalCount } }", many)));
    }

    @Test
    void aliasesWithDifferentPageArgumentsGetTheirOwnPages() {
        String ws = seed();
        JsonPath answer = entities(TestKeys.token(ws, "analyst"), "... on Account { recent: opportunities(first: 1) { edges { node { id } } }"
                + " all: opportunities { edges { node { id } } } }", List.of(account("A1"), account("A2")));
        assertNull(answer.get("errors"));
        assertEquals(List.of("O3"), answer.getList("data._entities[0].recent.edges.node.id"));
        assertEquals(List.of("O3", "O2", "O1"), answer.getList("data._entities[0].all.edges.node.id"));
        assertEquals(List.of("O4"), answer.getList("data._entities[1].recent.edges.node.id"));
        assertEquals(List.of("O4"), answer.getList("data._entities[1].all.edges.node.id"));
    }

    @Test
    void opportunitiesArePagedByKeysetNewestFirst() {
        String ws = seed();
        String token = TestKeys.token(ws, "analyst");
        String page = "... on Account { opportunities(first: %d%s) { totalCount edges { cursor node { id } }"
                + " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
        JsonPath first = entities(token, page.formatted(2, ""), List.of(account("A1")));
        assertEquals(List.of("O3", "O2"), first.getList("data._entities[0].opportunities.edges.node.id"));
        assertEquals(map("hasNextPage", true, "hasPreviousPage", false, "startCursor", cursor("2025-03-01T00:00:00Z", "O3"),
                "endCursor", cursor("2025-03-01T00:00:00Z", "O2")), first.getMap("data._entities[0].opportunities.pageInfo"));

        // A newer opportunity arriving between pages comes before the first page; the next page neither repeats nor loses any.
        upsert(ws, "upsertOpportunities", "OpportunityInput", List.of(Map.of("id", "O5", "accountId", "A1",
                "createdAt", "2025-05-01T00:00:00Z"))).body("errors", nullValue());
        String after = ", after: \"" + first.getString("data._entities[0].opportunities.pageInfo.endCursor") + "\"";
        JsonPath second = entities(token, page.formatted(2, after), List.of(account("A1")));
        assertEquals(List.of("O1"), second.getList("data._entities[0].opportunities.edges.node.id"));
        assertEquals(4, second.getInt("data._entities[0].opportunities.totalCount"));
        assertEquals(map("hasNextPage", false, "hasPreviousPage", true, "startCursor", cursor("2025-02-01T00:00:00Z", "O1"),
                "endCursor", cursor("2025-02-01T00:00:00Z", "O1")), second.getMap("data._entities[0].opportunities.pageInfo"));
        assertEquals(List.of("O5", "O3", "O2", "O1"),
                entities(token, page.formatted(1000, ""), List.of(account("A1"))).getList("data._entities[0].opportunities.edges.node.id"));
    }

    @Test
    void aBadFirstOrCursorIsAnErrorNamingTheArgument() {
        String ws = seed();
        String token = TestKeys.token(ws, "analyst");
        for (int first : new int[] {0, 1001}) {
            call(token, ENTITIES.formatted("... on Account { opportunities(first: " + first + ") { totalCount } }"),
                    Map.of("r", List.of(account("A1"))))
                    .body("errors[0].message", containsString("Account.opportunities.first: must be between 1 and 1000, was " + first));
        }
        String job = Base64.getUrlEncoder().withoutPadding().encodeToString("job:0:00000000-0000-0000-0000-000000000000".getBytes(StandardCharsets.UTF_8));
        String negative = Base64.getUrlEncoder().withoutPadding().encodeToString("opp:-1:O1".getBytes(StandardCharsets.UTF_8));
        String noId = Base64.getUrlEncoder().withoutPadding().encodeToString("opp:1000:".getBytes(StandardCharsets.UTF_8));
        for (String after : List.of("not a cursor", job, negative, noId)) {
            call(token, ENTITIES.formatted("... on Account { opportunities(after: \"" + after + "\") { totalCount } }"),
                    Map.of("r", List.of(account("A1"))))
                    .body("errors[0].message", containsString("Account.opportunities.after: not a cursor this API returned"));
        }
    }

    @Test
    void analystAdminAndIngestReadTheEntitiesAndNoOtherRole() {
        String ws = seed();
        for (String role : List.of("analyst", "admin", "ingest")) {
            JsonPath answer = entities(TestKeys.token(ws, role), "... on Account { industry } ... on Opportunity { name }",
                    List.of(account("A1"), opportunity("O1")));
            assertNull(answer.get("errors"), role);
            assertEquals(Arrays.asList("Software", null), answer.getList("data._entities.industry"), role);
        }
        for (String token : List.of(TestKeys.token(ws, "service"), TestKeys.token(ws))) {
            call(token, ENTITIES.formatted("... on Account { industry }"), Map.of("r", List.of(account("A1"))))
                    .body("data._entities", nullValue())
                    .body("errors[0].message", containsString("needs the role analyst or admin or ingest"));
            call(token, ENTITIES.formatted("... on Opportunity { name }"), Map.of("r", List.of(opportunity("O1"))))
                    .body("data._entities", nullValue())
                    .body("errors[0].message", containsString("needs the role analyst or admin or ingest"));
        }
    }

    @Test
    void aLookupTakesAtMostAThousandIds() {
        String ws = seed();
        String token = TestKeys.token(ws, "analyst");
        List<Map<String, Object>> most = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            most.add(i % 2 == 0 ? account("A" + i) : opportunity("O" + i));
        }
        JsonPath answer = entities(token, "... on Account { industry }", most);
        assertNull(answer.get("errors"));
        assertEquals(1_000, answer.getList("data._entities").size());
        assertEquals("Retail", answer.getString("data._entities[2].industry"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i <= 1_000; i++) {
            ids.add("A" + i);
        }
        call(token, "query($ids: [String!]!) { accountEntities(id: $ids) { id } }", Map.of("ids", ids))
                .body("errors[0].message", containsString("accountEntities.id: at most 1000 ids, was 1001"));
        call(token, "query($ids: [String!]!) { opportunityEntities(id: $ids) { id } }", Map.of("ids", ids))
                .body("errors[0].message", containsString("opportunityEntities.id: at most 1000 ids, was 1001"));
    }

    @Test
    void theSubgraphSchemaHasTheEntityContract() {
        String sdl = call(TestKeys.token("acme", "analyst"), "{ _service { sdl } }", Map.of()).extract().path("data._service.sdl");
        assertTrue(sdl.contains("@link(import : [\"@key\", \"@shareable\", \"@inaccessible\"]"), "imports @key, @shareable, @inaccessible");
        assertTrue(sdl.contains("union _Entity = Account | Opportunity\n"), sdl);
        assertEquals(List.of("crmCreatedAt: String", "id: ID!", "industry: String",
                "opportunities(after: String, first: Int = 100): OpportunityConnection!"), fields(sdl, "type Account @key(fields : \"id\")"));
        assertEquals(List.of("accountId: String", "amount: Money", "closedAt: String", "contactRoles: [ContactRole!]!", "createdAt: String!",
                "currency: String", "id: ID!", "name: String", "stage: String", "stageHistory: [StageChange!]!",
                "status: OpportunityStatus!"), fields(sdl, "type Opportunity @key(fields : \"id\")"));
        assertEquals(List.of("edges: [OpportunityEdge!]!", "pageInfo: PageInfo!", "totalCount: Int!"), fields(sdl, "type OpportunityConnection"));
        assertEquals(List.of("cursor: String!", "node: Opportunity!"), fields(sdl, "type OpportunityEdge"));
        assertEquals(List.of("enteredAt: String!", "stage: String!"), fields(sdl, "type StageChange"));
        assertEquals(List.of("contactId: String!", "role: String"), fields(sdl, "type ContactRole"));
        assertEquals(List.of("endCursor: String", "hasNextPage: Boolean!", "hasPreviousPage: Boolean!", "startCursor: String"),
                fields(sdl, "type PageInfo @shareable"));
        // Byte for byte as attribution-service declares them: composition counts differing descriptions as conflicts.
        assertTrue(sdl.contains("\n\"An opportunity's state.\"\nenum OpportunityStatus {\n  LOST\n  OPEN\n  WON\n}\n"), sdl);
        assertTrue(sdl.contains("\n\"An exact decimal amount as a string (e.g. \\\"110000.00\\\"), with the minor-unit digits of the currency"
                + " its report states (2 for USD and EUR, 0 for JPY).\"\nscalar Money\n"), sdl);
        // The entity lookups _entities calls are in the subgraph, not in the supergraph's API.
        assertTrue(sdl.contains("  accountEntities(id: [String!]!): [Account]! @inaccessible\n"), sdl);
        assertTrue(sdl.contains("  opportunityEntities(id: [String!]!): [Opportunity]! @inaccessible\n"), sdl);
    }

    /** The fields of a type in the SDL, descriptions left out. */
    private static List<String> fields(String sdl, String header) {
        Matcher m = Pattern.compile("(?ms)^" + Pattern.quote(header) + " \\{\n(.*?)\n}").matcher(sdl);
        assertTrue(m.find(), header + " in " + sdl);
        List<String> fields = new ArrayList<>();
        for (String line : m.group(1).split("\n")) {
            if (!line.strip().startsWith("\"")) {
                fields.add(line.strip());
            }
        }
        return fields;
    }

    /**
     * The SQL statements a request costs: the growth of the service's PostgreSQL client request counter (Micrometer's
     * Vert.x client metrics, {@code postgresql_completed_total} on /q/metrics) across it. The erasure job poller queries once
     * a second, so a request can share its window with one of those: the fewest of five tries is the request's own.
     */
    private static int fewestStatements(Runnable request) {
        request.run();
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            double before = sqlStatements();
            request.run();
            fewest = Math.min(fewest, (int) (sqlStatements() - before));
        }
        return fewest;
    }

    private static double sqlStatements() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> lines = metrics.lines().filter(l -> l.startsWith("postgresql_completed_total{")).toList();
        assertEquals(1, lines.size(), "one PostgreSQL client counter: " + lines);
        return Double.parseDouble(lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1));
    }
}
