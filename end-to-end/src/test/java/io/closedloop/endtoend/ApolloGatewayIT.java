package io.closedloop.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.closedloop.launcher.ClosedLoopSystem;
import io.closedloop.launcher.ServiceName;
import io.closedloop.launcher.dataset.Dataset;
import io.closedloop.launcher.dataset.DemoLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our gateway answers as Apollo's reference federation gateway does (issue 18): 32 queries (entities across the three
 * subgraphs, aliases, fragments, variables, several root fields, lists, nulls and errors) give the same {@code data} from
 * both, and the same errors by path and {@code extensions.code}; ours counts its subgraph calls as Apollo's does. And
 * the subgraphs serve Apollo's own federation gateway (@apollo/gateway from npm, composing them with
 * IntrospectAndCompose) as one graph (issue 18): a query that starts at identity's accounts, asks ingestion's CRM
 * opportunities of each and attribution's W-shaped journey of each opportunity comes back whole, with every value equal
 * to what the owning subgraph answers directly, and Apollo makes one call per subgraph per level, 50 accounts or one
 * (the subgraphs resolve each entity type of an _entities call at once).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ApolloGatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS = "apollo";
    private static final LocalDate START = LocalDate.of(2026, 1, 1);
    private static final int DAYS = 150;
    private static final int ACCOUNTS = 50;

    static RunningSystem running;
    static Dataset dataset;
    static Process apollo;
    static String apolloUrl;
    static String callsUrl;
    static String ours;
    static String analyst;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startLoadAndFederate() throws Exception {
        running = RunningSystem.start();
        String writeKey = running.graphql(ServiceName.INGESTION, running.token(WS, "admin"),
                        "mutation { createWriteKey(name: \"apollo-test\") { key } }")
                .statusCode(200).extract().path("data.createWriteKey.key");
        dataset = new Dataset(11, new Dataset.Size(ACCOUNTS, 2, 4, 1.0), START.atStartOfDay(ZoneOffset.UTC).toInstant(), DAYS);
        new DemoLoader(running.url(ServiceName.INGESTION), writeKey).load(dataset, running.token(WS, "ingest"));
        running.awaitConsumersCaughtUp(Duration.ofSeconds(180));
        analyst = running.token(WS, "analyst");

        Path node = Path.of(System.getProperty("closedloop.root", "..")).toAbsolutePath().normalize().resolve("end-to-end/node");
        if (!Files.isDirectory(node.resolve("node_modules/@apollo/gateway"))) {
            throw new IllegalStateException("@apollo/gateway is not installed: run ./closedloop test (or npm ci in " + node + ")");
        }
        int port = freePort();
        int callsPort = freePort();
        apollo = new ProcessBuilder("node", "apollo-gateway.mjs", String.valueOf(port), String.valueOf(callsPort), analyst,
                "ingestion=" + running.url(ServiceName.INGESTION) + "/graphql",
                "identity=" + running.url(ServiceName.IDENTITY) + "/graphql",
                "attribution=" + running.url(ServiceName.ATTRIBUTION) + "/graphql")
                .directory(node.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(apollo.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(90, TimeUnit.SECONDS);
        assertEquals("{\"ready\":true}", ready, "Apollo Gateway composed the subgraphs and listens");
        apolloUrl = "http://localhost:" + port + "/";
        ours = running.url(ServiceName.GATEWAY) + "/graphql";
        callsUrl = "http://localhost:" + callsPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (apollo != null) {
            apollo.destroy();
            apollo.waitFor(10, TimeUnit.SECONDS);
        }
        if (running != null) {
            running.close();
        }
    }

    @Test
    void fiftyAccountsWithTheirContactsOpportunitiesAndJourneysInOneQueryOneCallPerSubgraph() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            ids.add(dataset.account(a).account().id());
        }
        String journey = "journey(model: {name: W_SHAPED}) { model amount touches { touchId credit amount milestones } }";
        String query = "query($ids: [String!]!) { accountsById(id: $ids) { id name domains persons { id } industry"
                + " opportunities(first: 20) { totalCount edges { node { id name amount status " + journey + " } } } } }";
        reset();
        JsonNode answer = ask(apolloUrl, query, Map.of("ids", ids));
        Map<String, Integer> calls = calls();
        assertTrue(answer.path("errors").isMissingNode(), answer.path("errors").toString());
        assertEquals(Map.of("identity", 1, "ingestion", 1, "attribution", 1), calls,
                "one call per subgraph: identity's root, then one _entities call per level");
        // Our gateway: the same answer for the same three calls (its own count, from its metrics).
        Map<String, Double> before = ourCalls();
        JsonNode ourAnswer = ask(ours, query, Map.of("ids", ids));
        Map<String, Double> after = ourCalls();
        assertTrue(ourAnswer.path("errors").isMissingNode(), ourAnswer.path("errors").toString());
        assertTrue(answer.path("data").equals(SAME_NUMBER, ourAnswer.path("data")), "our gateway's answer is Apollo's");
        for (String subgraph : List.of("identity", "ingestion", "attribution")) {
            assertEquals(1.0, after.get(subgraph) - before.getOrDefault(subgraph, 0.0), "our gateway's calls to " + subgraph);
        }

        JsonNode accounts = answer.path("data").path("accountsById");
        assertEquals(ACCOUNTS, accounts.size());
        // Identity's part as identity answers it, ingestion's and attribution's as they answer their own entities.
        JsonNode identity = direct(ServiceName.IDENTITY, "query($ids: [String!]!) { accountsById(id: $ids) { id name domains"
                + " persons { id } } }", Map.of("ids", ids)).path("accountsById");
        List<Map<String, String>> accountRefs = new ArrayList<>();
        ids.forEach(id -> accountRefs.add(Map.of("__typename", "Account", "id", id)));
        JsonNode crm = direct(ServiceName.INGESTION, "query($r: [_Any!]!) { _entities(representations: $r) { ... on Account {"
                + " industry opportunities(first: 20) { totalCount edges { node { id name amount status } } } } } }",
                Map.of("r", accountRefs)).path("_entities");
        int opportunities = 0;
        int touched = 0;
        for (int a = 0; a < ACCOUNTS; a++) {
            JsonNode account = accounts.get(a);
            String what = "account " + ids.get(a);
            assertEquals(ids.get(a), account.path("id").asText(), what);
            for (String field : List.of("name", "domains", "persons")) {
                assertEquals(identity.get(a).path(field), account.path(field), what + " " + field);
            }
            assertEquals(crm.get(a).path("industry"), account.path("industry"), what + " industry");
            assertEquals(crm.get(a).path("opportunities").path("totalCount"), account.path("opportunities").path("totalCount"), what);
            JsonNode edges = account.path("opportunities").path("edges");
            for (int o = 0; o < edges.size(); o++) {
                JsonNode opportunity = edges.get(o).path("node");
                JsonNode expected = crm.get(a).path("opportunities").path("edges").get(o).path("node");
                for (String field : List.of("id", "name", "amount", "status")) {
                    assertEquals(expected.path(field), opportunity.path(field), what + " opportunity " + o + " " + field);
                }
                JsonNode own = direct(ServiceName.ATTRIBUTION, "query($id: String!) { opportunityJourney(opportunityId: $id, model:"
                        + " {name: W_SHAPED}) { model amount touches { touchId credit amount milestones } } }",
                        Map.of("id", opportunity.path("id").asText())).path("opportunityJourney");
                assertEquals(own, opportunity.path("journey"), what + " opportunity " + opportunity.path("id").asText());
                opportunities++;
                touched += opportunity.path("journey").path("touches").size() > 0 ? 1 : 0;
            }
        }
        assertTrue(opportunities >= ACCOUNTS / 2, "the dataset's accounts have opportunities: " + opportunities);
        assertTrue(touched > 0, "some journeys have touches");

        // One account costs the same three calls: the planner asks per level, not per entity.
        reset();
        JsonNode one = ask(apolloUrl, query, Map.of("ids", List.of(ids.get(0))));
        assertTrue(one.path("errors").isMissingNode(), one.path("errors").toString());
        assertEquals(Map.of("identity", 1, "ingestion", 1, "attribution", 1), calls());
        assertEquals(accounts.get(0), one.path("data").path("accountsById").get(0));
    }

    @Test
    void aReportRowsOpportunityCarriesIngestionsFieldsInTheSameQuery() throws Exception {
        String period = "{from: \"" + START + "\", to: \"" + START.plusDays(DAYS + 120) + "\"}";
        reset();
        JsonNode answer = ask(apolloUrl, "{ creditedOpportunities(period: " + period + ", model: {name: LINEAR}, first: 50) {"
                + " edges { node { opportunityId amount opportunity { id name amount status } } } } }", Map.of());
        assertTrue(answer.path("errors").isMissingNode(), answer.path("errors").toString());
        assertEquals(Map.of("identity", 0, "ingestion", 1, "attribution", 1), calls());
        JsonNode edges = answer.path("data").path("creditedOpportunities").path("edges");
        assertTrue(edges.size() > 0, "credited opportunities: " + answer);
        for (JsonNode edge : edges) {
            JsonNode node = edge.path("node");
            assertEquals(node.path("opportunityId"), node.path("opportunity").path("id"));
            assertEquals(node.path("amount"), node.path("opportunity").path("amount"), "the deal's amount, as the CRM has it");
        }
    }

    /** One question for both gateways. */
    private record Case(String name, String query, Map<String, Object> variables, String operationName) {
        Case(String name, String query, Map<String, Object> variables) {
            this(name, query, variables, null);
        }
    }

    @Test
    void ourGatewayAnswersAsApollosDoes() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            ids.add(dataset.account(a).account().id());
        }
        JsonNode some = ask(ours, "query($ids: [String!]!) { accountsById(id: $ids) { id persons { id identifiers { type value } }"
                + " opportunities(first: 5) { edges { node { id status } } } } }", Map.of("ids", ids)).path("data").path("accountsById");
        String account = null;
        String person = null;
        String email = null;
        String opportunity = null;
        for (JsonNode a : some) {
            if (account == null && a.path("persons").size() > 0 && a.path("opportunities").path("edges").size() > 0) {
                account = a.path("id").asText();
                person = a.path("persons").get(0).path("id").asText();
                for (JsonNode identifier : a.path("persons").get(0).path("identifiers")) {
                    if (identifier.path("type").asText().equals("email")) {
                        email = identifier.path("value").asText();
                    }
                }
                opportunity = a.path("opportunities").path("edges").get(0).path("node").path("id").asText();
            }
        }
        assertTrue(account != null && email != null, "an account with contacts and deals: " + some);
        String period = "{from: \"" + START + "\", to: \"" + START.plusDays(DAYS + 120) + "\"}";
        Map<String, Object> periodVariable = Map.of("from", START.toString(), "to", START.plusDays(DAYS + 120).toString());
        String journey = "journey(model: {name: W_SHAPED}) { model amount touches { touchId credit amount milestones channel } }";
        List<Case> cases = List.of(
                new Case("entities across three subgraphs", "query($ids: [String!]!) { accountsById(id: $ids) { id name domains persons { id }"
                        + " industry opportunities(first: 20) { totalCount edges { node { id name amount status " + journey + " } } } } }",
                        Map.of("ids", ids)),
                new Case("aliases at every level", "query($ids: [String!]!) { firms: accountsById(id: $ids) { key: id sector: industry"
                        + " deals: opportunities(first: 3) { n: totalCount list: edges { deal: node { dealId: id value: amount"
                        + " w: journey(model: {name: W_SHAPED}) { touches { credit } } l: journey(model: {name: LINEAR}) { touches { credit } } } } } } }",
                        Map.of("ids", ids.subList(0, 10))),
                new Case("named fragments, nested and repeated", "query($ids: [String!]!) { accountsById(id: $ids) { ...A } again: accountsById(id: $ids)"
                        + " { ...A } } fragment A on Account { id ...Crm persons { ...P } } fragment Crm on Account { industry opportunities(first: 2)"
                        + " { edges { node { ...O } } } } fragment O on Opportunity { id stage journey(model: {name: FIRST_TOUCH}) { model } }"
                        + " fragment P on Person { id accountId }", Map.of("ids", ids.subList(0, 8))),
                new Case("inline fragments and __typename", "query($id: ID!) { __typename account(id: $id) { __typename ... on Account { id"
                        + " industry engagement { __typename contacts } } opportunities(first: 2) { __typename edges { node { __typename id } } } } }",
                        Map.of("id", account)),
                new Case("several root fields across subgraphs", "{ attributionSettings { lookbackDays halfLifeDays journeyScope }"
                        + " identitySettings { explosionGuardLimit } reportingCurrency marketingTouchTypes }", Map.of()),
                new Case("one root field twice, aliased", "{ a: attributionSettings { lookbackDays } b: attributionSettings { halfLifeDays }"
                        + " c: marketingTouchTypes }", Map.of()),
                new Case("@skip and @include by variables", "query($ids: [String!]!, $crm: Boolean!, $people: Boolean = false) {"
                        + " accountsById(id: $ids) { id industry @include(if: $crm) persons @include(if: $people) { id } domains @skip(if: $crm)"
                        + " opportunities(first: 1) @skip(if: $people) { totalCount } } }", Map.of("ids", ids.subList(0, 5), "crm", true)),
                new Case("variables with defaults, and paging", "query($ids: [String!]!, $first: Int = 2) { accountsById(id: $ids) {"
                        + " opportunities(first: $first) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }",
                        Map.of("ids", ids.subList(0, 5))),
                new Case("the performance report", "query($p: PeriodInput!) { performance(period: $p, model: {name: TIME_DECAY, halfLifeDays: 7},"
                        + " first: 5) { model basis currency rows { totalCount edges { cursor node { key credit amount pipeline revenue roi spend } }"
                        + " pageInfo { hasNextPage } } totals { amount opportunities unattributed { count amount } } } }", Map.of("p", periodVariable)),
                new Case("credited opportunities with the CRM's deal", "{ creditedOpportunities(period: " + period + ", model: {name: LINEAR},"
                        + " first: 20) { totalCount edges { node { opportunityId credit attributedAmount opportunity { name stage status createdAt"
                        + " stageHistory { stage enteredAt } contactRoles { contactId role } } } } } }", Map.of()),
                new Case("model comparison", "{ modelComparison(period: " + period + ", models: [{name: FIRST_TOUCH}, {name: LAST_TOUCH},"
                        + " {name: U_SHAPED}]) { models rows { edges { node { key amounts credits } } } reports { model totals { amount } } } }", Map.of()),
                new Case("sourced and influenced", "{ sourcedInfluenced(period: " + period + ") { marketingTouchTypes rows { edges { node {"
                        + " key sourcedAmount influencedAmount sourcedCount } } } totals { sourcedAmount } } }", Map.of()),
                new Case("pipeline influence", "{ pipelineInfluence(period: " + period + ", windowDays: 30) { windowDays influencedCount"
                        + " influencedAmount totalAmount countShare amountShare } }", Map.of()),
                new Case("cohort LTV", "{ cohortLtv(period: " + period + ", cohort: MONTH, periods: 3) { cohort periods rows { cohort channel"
                        + " customers ltv revenuePerCustomer cac } } }", Map.of()),
                new Case("data quality", "{ dataQuality(period: " + period + ") { touches validUtmShare personShare unmappedCampaigns } }", Map.of()),
                new Case("an account's view and timeline", "query($a: String!) { accountView(accountId: $a, first: 5) { accountId contacts"
                        + " contactsReached timeline { totalCount edges { node { at kind channel touchType stage } } } } }", Map.of("a", account)),
                new Case("an opportunity's journey", "query($o: String!) { opportunityJourney(opportunityId: $o, model: {name: U_SHAPED}) {"
                        + " opportunityId model amount touches { touchId credit amount milestones } } }", Map.of("o", opportunity)),
                new Case("a person's identifiers and touches", "query($p: [String!]!) { personsById(id: $p) { id accountId ambiguous"
                        + " identifiers { type value } touches(first: 3) { totalCount edges { node { touchId channel occurredAt } } } } }",
                        Map.of("p", List.of(person))),
                new Case("a person by identifier", "query($e: String!) { person(identifier: {type: \"email\", value: $e}) { id accountId"
                        + " touches(first: 2) { totalCount } } }", Map.of("e", email)),
                new Case("an account's persons, credit and timeline", "query($id: ID!) { account(id: $id) { id domains identifiers { type }"
                        + " persons { id touches(first: 2) { edges { node { channel } } } } credit(period: " + period + ", model: {name: LINEAR})"
                        + " { key credit amount } timeline(first: 3) { edges { node { kind at } } } } }", Map.of("id", account)),
                new Case("unknown ids are null", "query($ids: [String!]!) { account(id: \"no-such-account\") { id name } accountsById(id: $ids)"
                        + " { id industry } personById(id: \"no-such-person\") { id touches { totalCount } } }",
                        Map.of("ids", List.of("no-such-account", ids.get(0)))),
                new Case("identity's figures", "{ identityStats { persons ambiguousPersons unassignedPersons } quarantinedIdentifiers { type } }", Map.of()),
                new Case("the operation named", "query One { reportingCurrency } query Two { marketingTouchTypes identitySettings {"
                        + " explosionGuardLimit } }", Map.of(), "Two"),
                new Case("channel preview", "{ previewChannel(source: \"google\", medium: \"cpc\", campaign: \"q1\") { channel"
                        + " source medium utmValid } reportingCurrency }", Map.of()),
                new Case("error: a role the caller lacks", "{ reportingCurrency writeKeys { id name } }", Map.of()),
                new Case("error: a reversed period", "{ performance(period: {from: \"2026-03-31\", to: \"2026-01-01\"}, model: {name: LINEAR})"
                        + " { basis } }", Map.of()),
                new Case("error: one of several root fields fails", "{ attributionSettings { lookbackDays } privacySettings { hashIdentifiers }"
                        + " identitySettings { explosionGuardLimit } }", Map.of()),
                new Case("error: within entities", "query($ids: [String!]!) { accountsById(id: $ids) { id opportunities(first: 5) { edges { node"
                        + " { id status journey(model: {name: LINEAR}, basis: REVENUE) { amount } } } } } }", Map.of("ids", ids.subList(0, 6))),
                new Case("error: within entities, one account asked twice", "query($ids: [String!]!) { accountsById(id: $ids) { id"
                        + " opportunities(first: 5) { edges { node { id journey(model: {name: LINEAR}, basis: REVENUE) { amount } } } } } }",
                        Map.of("ids", List.of(ids.get(0), ids.get(1), ids.get(0), ids.get(4)))),
                new Case("error: a required variable missing", "query($id: ID!) { account(id: $id) { id } }", Map.of()),
                new Case("error: a field the schema does not have", "{ accountsById(id: [\"x\"]) { id revenueForecast } }", Map.of()),
                new Case("error: a variable of the wrong type", "query($n: Int!) { accountsById(id: [\"x\"]) { opportunities(first: $n) {"
                        + " totalCount } } }", Map.of("n", "ten")));
        assertTrue(cases.size() >= 25);
        List<String> differences = new ArrayList<>();
        int errorsSeen = 0;
        for (Case c : cases) {
            JsonNode apollos = answer(apolloUrl, c);
            JsonNode our = answer(ours, c);
            if (!apollos.path("data").equals(SAME_NUMBER, our.path("data"))) {
                differences.add(c.name() + ": data differs\n  apollo: " + apollos.path("data") + "\n  ours:   " + our.path("data"));
            }
            if (c.name().startsWith("error")) {
                errorsSeen += our.path("errors").size() > 0 ? 1 : 0;
                System.out.println(c.name() + ": apollo " + errorKeys(apollos) + ", ours " + errorKeys(our));
            } else if (!apollos.path("errors").isMissingNode() || !our.path("errors").isMissingNode()) {
                differences.add(c.name() + ": errors where none were expected\n  apollo: " + apollos.path("errors") + "\n  ours:   " + our.path("errors"));
            }
            if (!errorKeys(apollos).equals(errorKeys(our))) {
                differences.add(c.name() + ": errors differ\n  apollo: " + apollos.path("errors") + "\n  ours:   " + our.path("errors"));
            }
        }
        assertEquals(List.of(), differences);

        // An operation name the document lacks: Apollo's gateway answers 500 (INVALID_GRAPHQL); ours a request error, 400.
        HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create(ours)).header("Authorization", "Bearer " + analyst)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\": \"query One { reportingCurrency }\", \"operationName\": \"Three\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertEquals("OPERATION_RESOLUTION_FAILURE", JSON.readTree(unknown.body()).path("errors").path(0).path("extensions").path("code").asText());

        // A question one subgraph answers whole (no entity, no __typename) is passed on as that subgraph wrote it.
        String performance = "query($p: PeriodInput!) { performance(period: $p, model: {name: J_SHAPED}, groupBy: MEDIUM) {"
                + " rows { edges { node { key amount credit } } } totals { amount } } }";
        Map<String, Object> fresh = Map.of("p", Map.of("from", START.plusDays(3).toString(), "to", START.plusDays(DAYS + 100).toString()));
        double passedOn = ourAnswers("passed-on");
        JsonNode whole = ask(ours, performance, Map.of("p", fresh.get("p")));
        assertEquals(passedOn + 1, ourAnswers("passed-on"), "passed on whole");
        assertEquals(direct(ServiceName.ATTRIBUTION, performance, fresh), whole.path("data"));
        assertEquals(cases.stream().filter(c -> c.name().startsWith("error")).count(), errorsSeen, "each error case gave errors");
    }

    /** JSON numbers compare by value: graphql-js writes the Float 7.0 as 7, Jackson as 7.0, and both are the same number. */
    private static final java.util.Comparator<JsonNode> SAME_NUMBER = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    /** Each error's path (Apollo's form for an error inside _entities, see errorPath) and extensions.code, sorted. */
    private static List<String> errorKeys(JsonNode answer) {
        List<String> keys = new ArrayList<>();
        for (JsonNode error : answer.path("errors")) {
            keys.add(error.path("path") + " " + error.path("extensions").path("code").asText());
        }
        keys.sort(null);
        return keys;
    }

    private static JsonNode answer(String url, Case c) throws Exception {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("query", c.query());
        body.put("variables", c.variables());
        if (c.operationName() != null) {
            body.put("operationName", c.operationName());
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + analyst).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() < 500, url + " " + c.name() + ": " + response.statusCode() + " " + response.body());
        return JSON.readTree(response.body());
    }

    /**
     * Our gateway keeps an answer only while it is true: asked again, a cross-subgraph answer comes from memory (no subgraph
     * call, only a data-version check); once the person is erased, the same question gets the erased state, never the kept
     * answer. Runs last: it erases a person of the dataset.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void aKeptAnswerIsServedOnlyWhileEverySubgraphsDataIsUnchanged() throws Exception {
        String account = dataset.account(ACCOUNTS - 1).account().id();
        JsonNode people = ask(ours, "query($a: [String!]!) { accountsById(id: $a) { persons { id identifiers { type value } } } }",
                Map.of("a", List.of(account))).path("data").path("accountsById").get(0).path("persons");
        String person = people.get(0).path("id").asText();
        String email = null;
        for (JsonNode identifier : people.get(0).path("identifiers")) {
            email = identifier.path("type").asText().equals("email") ? identifier.path("value").asText() : email;
        }
        assertTrue(email != null, "the person has an email: " + people);
        String query = "query($p: [String!]!, $a: [String!]!) { personsById(id: $p) { id identifiers { value } touches { totalCount } }"
                + " accountsById(id: $a) { industry persons { id } } }";
        Map<String, Object> variables = Map.of("p", List.of(person), "a", List.of(account));
        // A write in any subgraph's database in between (a lease renewed, a feed position stored) moves its data version and
        // rightly retires the answer: the claim is about a second ask while every version stayed the same from before the
        // first ask (whose answer is kept with the versions it saw) to after the second.
        JsonNode first;
        JsonNode again;
        Map<String, Double> before;
        Map<String, Double> after;
        for (int attempt = 1; ; attempt++) {
            Map<ServiceName, String> versions = dataVersions();
            first = ask(ours, query, variables);
            before = ourCalls();
            again = ask(ours, query, variables);
            after = ourCalls();
            if (versions.equals(dataVersions())) {
                break;
            }
            assertTrue(attempt < 20, "every subgraph's data version stays the same for a moment");
        }
        assertEquals(first, again);
        assertEquals(before, after, "asked again, unchanged: answered from memory, no subgraph call");
        assertEquals(person, again.path("data").path("personsById").get(0).path("id").asText());

        String admin = running.token(WS, "admin");
        HttpRequest erase = HttpRequest.newBuilder(URI.create(ours)).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                        "query", "mutation($e: String!) { erasePerson(identifiers: [{type: \"email\", value: $e}]) { id } }",
                        "variables", Map.of("e", email))))).build();
        String job = JSON.readTree(HTTP.send(erase, HttpResponse.BodyHandlers.ofString()).body()).path("data").path("erasePerson").path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpRequest state = HttpRequest.newBuilder(URI.create(ours)).header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                            "query", "query($id: ID!) { erasure(id: $id) { state } }", "variables", Map.of("id", job))))).build();
            if (JSON.readTree(HTTP.send(state, HttpResponse.BodyHandlers.ofString()).body()).path("data").path("erasure").path("state")
                    .asText().equals("DONE")) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "erasure " + job + " done");
            Thread.sleep(200);
        }
        JsonNode erased = ask(ours, query, variables);
        assertTrue(erased.path("data").path("personsById").get(0).isNull(), "the erased person is gone, not kept: " + erased);
        assertTrue(ourCalls().get("identity") > after.get("identity"), "identity was asked again");
        assertEquals(direct(ServiceName.IDENTITY, "query($p: [String!]!) { personsById(id: $p) { id } }", Map.of("p", List.of(person)))
                .path("personsById"), erased.path("data").path("personsById"));
    }

    private static JsonNode direct(ServiceName service, String query, Map<String, Object> variables) throws Exception {
        JsonNode answer = ask(running.url(service) + "/graphql", query, variables);
        assertTrue(answer.path("errors").isMissingNode(), service + ": " + answer.path("errors"));
        return answer.path("data");
    }

    private static JsonNode ask(String url, String query, Map<String, Object> variables) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + analyst).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query, "variables", variables))))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** Our gateway's answers made {@code how} so far (its closedloop_gateway_answers_total metric). */
    private static double ourAnswers(String how) throws Exception {
        return ourMetric("closedloop_gateway_answers_total", "how").getOrDefault(how, 0.0);
    }

    /** Our gateway's subgraph calls so far, by subgraph (its closedloop_gateway_subgraph_calls_total metric). */
    /** Each subgraph's data version now (what our gateway checks before it serves a kept answer). */
    private static Map<ServiceName, String> dataVersions() throws Exception {
        Map<ServiceName, String> versions = new java.util.EnumMap<>(ServiceName.class);
        for (ServiceName s : List.of(ServiceName.INGESTION, ServiceName.IDENTITY, ServiceName.ATTRIBUTION)) {
            versions.put(s, HTTP.send(HttpRequest.newBuilder(URI.create(running.url(s) + "/graphql/data-version"))
                    .header("Authorization", "Bearer " + analyst).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        return versions;
    }

    private static Map<String, Double> ourCalls() throws Exception {
        Map<String, Double> calls = ourMetric("closedloop_gateway_subgraph_calls_total", "subgraph");
        assertEquals(3, calls.size(), "the gateway counts its calls per subgraph: " + calls);
        return calls;
    }

    /** A counter of our gateway's /q/metrics, by the value of its tag {@code tag}. */
    private static Map<String, Double> ourMetric(String name, String tag) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(running.url(ServiceName.GATEWAY) + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new java.util.HashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*" + tag + "=\"([\\w-]+)\"[^}]*} (\\S+)$")
                .matcher(metrics);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static void reset() throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create(callsUrl + "/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Integer> calls() throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(callsUrl + "/calls")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return JSON.readValue(body, JSON.getTypeFactory().constructMapType(Map.class, String.class, Integer.class));
    }

    private static int freePort() {
        return ClosedLoopSystem.freePort();
    }
}
