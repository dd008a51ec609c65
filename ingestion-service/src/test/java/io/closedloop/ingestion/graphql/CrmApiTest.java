package io.closedloop.ingestion.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.closedloop.ingestion.rest.IngestionTesting.feed;
import static io.closedloop.ingestion.rest.IngestionTesting.payload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CRM, revenue, spend, offline touches and money through GraphQL: upserts by source id, per-item results, feeds. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class CrmApiTest {

    static final String RESULT = "{ index id status field error }";

    static ValidatableResponse call(String token, String query, Map<String, Object> variables) {
        return given().contentType("application/json").header("Authorization", "Bearer " + token)
                .body(Map.of("query", query, "variables", variables)).post("/graphql").then().statusCode(200);
    }

    static ValidatableResponse upsert(String workspace, String mutation, String type, List<Map<String, Object>> items) {
        return call(TestKeys.token(workspace, "ingest"),
                "mutation($items: [" + type + "!]!) { " + mutation + "(" + argument(mutation) + ": $items) " + RESULT + " }",
                Map.of("items", items));
    }

    private static String argument(String mutation) {
        return switch (mutation) {
            case "upsertAccounts" -> "accounts";
            case "upsertContacts" -> "contacts";
            case "upsertOpportunities" -> "opportunities";
            case "addOpportunityStageChanges" -> "changes";
            case "upsertRevenue" -> "revenue";
            case "upsertSpend" -> "spend";
            case "upsertOfflineTouches" -> "touches";
            case "importExchangeRates" -> "rates";
            default -> throw new IllegalArgumentException(mutation);
        };
    }

    private static String workspace() {
        return "crm" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void accountsUpsertIdempotentlyAndOnlyChangesReachTheFeed() {
        String ws = workspace();
        List<Map<String, Object>> accounts = List.of(
                Map.of("id", "001A", "name", "Acme", "domains", List.of("https://www.Acme.com/about", "ops@acme.io"), "industry", "Software"),
                Map.of("id", "001B", "name", "Globex"));
        upsert(ws, "upsertAccounts", "AccountInput", accounts)
                .body("errors", nullValue())
                .body("data.upsertAccounts.status", equalTo(List.of("CREATED", "CREATED")));
        upsert(ws, "upsertAccounts", "AccountInput", accounts)
                .body("data.upsertAccounts.status", equalTo(List.of("UNCHANGED", "UNCHANGED")));
        assertEquals(2, feed("crm", ws).size(), "an upsert that changes nothing writes no feed item");

        upsert(ws, "upsertAccounts", "AccountInput", List.of(Map.of("id", "001B", "name", "Globex Corp")))
                .body("data.upsertAccounts[0].status", equalTo("UPDATED"));
        List<Map<String, Object>> items = feed("crm", ws);
        assertEquals(2, items.size(), "the changed account moved to the end of the feed with its whole state");
        assertEquals("Globex Corp", payload(items.get(1)).get("name"));
        Map<String, Object> acme = payload(items.get(0));
        assertEquals(List.of("acme.com", "acme.io"), acme.get("domains"));
        assertEquals("Software", acme.get("industry"));
        assertEquals("account", items.get(0).get("kind"));

        // Fields left out keep what is stored.
        upsert(ws, "upsertAccounts", "AccountInput", List.of(Map.of("id", "001A")))
                .body("data.upsertAccounts[0].status", equalTo("UNCHANGED"));
    }

    @Test
    void badItemsAreRejectedNamingIndexAndFieldAndTheRestIsStored() {
        String ws = workspace();
        upsert(ws, "upsertAccounts", "AccountInput", List.of(
                Map.of("id", "ok", "name", "Fine"),
                Map.of("name", "no id"),
                Map.of("id", "bad-domain", "domains", List.of("acme.com", "not a domain")),
                Map.of("id", "ok", "name", "again"),
                Map.of("id", "bad-time", "createdAt", "yesterday")))
                .body("data.upsertAccounts.status", equalTo(List.of("CREATED", "REJECTED", "REJECTED", "REJECTED", "REJECTED")))
                .body("data.upsertAccounts.field", equalTo(java.util.Arrays.asList(null, "id", "domains[1]", "id", "createdAt")))
                .body("data.upsertAccounts[3].error", containsString("item 0"))
                .body("data.upsertAccounts[4].error", containsString("not a time"));
        assertEquals(1, feed("crm", ws).size());
    }

    @Test
    void onlyTheIngestRoleWrites() {
        call(TestKeys.token("acme", "analyst"), "mutation { upsertAccounts(accounts: [{id: \"x\"}]) { status } }", Map.of())
                .body("errors[0].message", containsString("needs the role ingest"));
    }

    @Test
    void contactsLinkTheirIdentifiersForIdentityResolution() {
        String ws = workspace();
        upsert(ws, "upsertContacts", "ContactInput", List.of(
                Map.of("id", "003X", "email", " Ada@Acme.COM ", "phone", "+1 (555) 010-2030", "accountId", "001A",
                        "createdAt", "2026-01-05T10:00:00Z", "leadCreatedAt", "2026-01-06"),
                Map.of("id", "003Y", "email", "not-an-email")))
                .body("data.upsertContacts.status", equalTo(List.of("CREATED", "REJECTED")))
                .body("data.upsertContacts[1].field", equalTo("email"));
        Map<String, Object> contact = payload(feed("crm", ws).get(0));
        assertEquals("ada@acme.com", contact.get("email"));
        assertEquals("+15550102030", contact.get("phone"));
        assertEquals("2026-01-06T00:00:00.000Z", contact.get("leadCreatedAt"));
        List<Map<String, Object>> facts = feed("identity-facts", ws);
        assertEquals(1, facts.size());
        assertEquals("link", facts.get(0).get("kind"));
        assertEquals(List.of(Map.of("type", "contact_id", "value", "003X"), Map.of("type", "email", "value", "ada@acme.com"),
                Map.of("type", "phone", "value", "+15550102030")), payload(facts.get(0)).get("identifiers"));
        assertEquals("001A", ((Map<?, ?>) payload(facts.get(0)).get("account")).get("id"));

        // A change that does not touch the identifiers (the lead time) writes a crm item, no new identity fact.
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "003X", "leadCreatedAt", "2026-01-07")))
                .body("data.upsertContacts[0].status", equalTo("UPDATED"));
        assertEquals(1, feed("identity-facts", ws).size());
    }

    @Test
    void moneyInAnotherCurrencyNeedsAnExchangeRateForItsDay() {
        String ws = workspace();
        Map<String, Object> deal = Map.of("id", "006A", "accountId", "001A", "name", "Acme - new", "amount", "50000",
                "currency", "EUR", "createdAt", "2026-02-01T09:00:00Z", "stage", "Closed Won", "closedAt", "2026-03-02T12:00:00Z",
                "contactRoles", List.of(Map.of("contactId", "003X", "role", "Decision Maker")),
                "stageHistory", List.of(Map.of("stage", "Closed Won", "enteredAt", "2026-03-02T12:00:00Z"),
                        Map.of("stage", "Discovery", "enteredAt", "2026-02-01T09:00:00Z")));
        upsert(ws, "upsertOpportunities", "OpportunityInput", List.of(deal))
                .body("data.upsertOpportunities[0].status", equalTo("REJECTED"))
                .body("data.upsertOpportunities[0].field", equalTo("currency"))
                .body("data.upsertOpportunities[0].error", containsString("no exchange rate from EUR"));

        upsert(ws, "importExchangeRates", "ExchangeRateInput", List.of(
                Map.of("date", "2026-02-27", "currency", "eur", "rate", "1.10"),
                Map.of("date", "2026-02-27", "currency", "USD", "rate", "1")))
                .body("data.importExchangeRates.status", equalTo(List.of("CREATED", "REJECTED")))
                .body("data.importExchangeRates[1].field", equalTo("currency"));
        upsert(ws, "upsertOpportunities", "OpportunityInput", List.of(deal,
                        Map.of("id", "006B", "createdAt", "2026-02-01", "status", "WON"),
                        Map.of("id", "006C", "createdAt", "2026-02-01", "amount", "12,5")))
                .body("data.upsertOpportunities.status", equalTo(List.of("CREATED", "REJECTED", "REJECTED")))
                .body("data.upsertOpportunities[1].field", equalTo("closedAt"))
                .body("data.upsertOpportunities[2].field", equalTo("amount"));
        Map<String, Object> opportunity = payload(feed("crm", ws).get(0));
        assertEquals("55000.00", opportunity.get("amount"));
        assertEquals("USD", opportunity.get("currency"));
        assertEquals("WON", opportunity.get("status"));
        assertEquals(List.of(Map.of("contactId", "003X", "role", "Decision Maker")), opportunity.get("contactRoles"));
        assertEquals(List.of(Map.of("stage", "Discovery", "enteredAt", "2026-02-01T09:00:00.000Z"),
                Map.of("stage", "Closed Won", "enteredAt", "2026-03-02T12:00:00.000Z")), opportunity.get("stageHistory"));

        // Stage changes add to the history; a repeat changes nothing; an unknown opportunity is rejected.
        upsert(ws, "addOpportunityStageChanges", "OpportunityStageInput", List.of(
                Map.of("opportunityId", "006A", "stage", "Proposal", "enteredAt", "2026-02-15T00:00:00Z"),
                Map.of("opportunityId", "006Z", "stage", "Proposal", "enteredAt", "2026-02-15T00:00:00Z")))
                .body("data.addOpportunityStageChanges.status", equalTo(List.of("UPDATED", "REJECTED")))
                .body("data.addOpportunityStageChanges[1].field", equalTo("opportunityId"));
        upsert(ws, "addOpportunityStageChanges", "OpportunityStageInput", List.of(
                Map.of("opportunityId", "006A", "stage", "Proposal", "enteredAt", "2026-02-15T00:00:00Z")))
                .body("data.addOpportunityStageChanges[0].status", equalTo("UNCHANGED"));
        List<Map<String, Object>> items = feed("crm", ws);
        assertEquals(1, items.size());
        assertEquals(3, ((List<?>) payload(items.get(0)).get("stageHistory")).size());
        // Left out, the stage history and contact roles are kept.
        upsert(ws, "upsertOpportunities", "OpportunityInput", List.of(Map.of("id", "006A", "createdAt", "2026-02-01T09:00:00Z",
                "stage", "Closed Won", "closedAt", "2026-03-02T12:00:00Z")))
                .body("data.upsertOpportunities[0].status", equalTo("UNCHANGED"));
    }

    @Test
    void revenueSpendAndOfflineTouchesReachTheirFeeds() {
        String ws = workspace();
        upsert(ws, "upsertRevenue", "RevenueInput", List.of(
                Map.of("id", "inv-1", "accountId", "001A", "opportunityId", "006A", "amount", "1200.5", "occurredAt", "2026-03-05T00:00:00Z"),
                Map.of("id", "inv-2", "amount", "10", "occurredAt", "2026-03-05T00:00:00Z")))
                .body("data.upsertRevenue.status", equalTo(List.of("CREATED", "REJECTED")))
                .body("data.upsertRevenue[1].field", equalTo("accountId"));
        Map<String, Object> revenue = payload(feed("revenue", ws).get(0));
        assertEquals("1200.50", revenue.get("amount"));
        assertEquals("USD", revenue.get("currency"));
        assertEquals("006A", revenue.get("opportunityId"));

        upsert(ws, "upsertSpend", "SpendInput", List.of(
                Map.of("date", "2026-03-01", "source", "Google", "medium", "cpc", "campaign", "Brand", "amount", "300"),
                Map.of("date", "2026-03-01", "channel", "Events", "campaign", "SaaStr", "amount", "5000")))
                .body("data.upsertSpend.status", equalTo(List.of("CREATED", "CREATED")))
                .body("data.upsertSpend[0].id", equalTo("2026-03-01|paid_search|google|cpc|brand"));
        upsert(ws, "upsertSpend", "SpendInput", List.of(
                Map.of("date", "2026-03-01", "source", "google", "medium", "CPC", "campaign", "brand", "amount", "300.00")))
                .body("data.upsertSpend[0].status", equalTo("UNCHANGED"));
        List<Map<String, Object>> spend = feed("spend", ws);
        assertEquals(2, spend.size());
        spend.sort(java.util.Comparator.comparing(i -> (String) payload(i).get("channel")));
        assertEquals(Map.of("id", "2026-03-01|paid_search|google|cpc|brand", "date", "2026-03-01", "channel", "paid_search",
                "source", "google", "medium", "cpc", "campaign", "brand", "amount", "300.00", "currency", "USD"), payload(spend.get(1)));

        upsert(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(
                Map.of("id", "call-1", "occurredAt", "2026-03-03T15:00:00Z", "email", "Ada@Acme.com", "type", "call"),
                Map.of("id", "booth-7", "occurredAt", "2026-03-04T10:00:00Z", "contactId", "003X", "type", "Event",
                        "campaign", "SaaStr 2026"),
                Map.of("id", "nobody", "occurredAt", "2026-03-04T10:00:00Z", "type", "CALL"),
                Map.of("id", "weird", "occurredAt", "2026-03-04T10:00:00Z", "email", "a@b.co", "type", "carrier pigeon")))
                .body("data.upsertOfflineTouches.status", equalTo(List.of("CREATED", "CREATED", "REJECTED", "REJECTED")))
                .body("data.upsertOfflineTouches.field", equalTo(java.util.Arrays.asList(null, null, "email", "type")));
        List<Map<String, Object>> touches = feed("touches", ws);
        assertEquals(2, touches.size());
        touches.sort(java.util.Comparator.comparing(i -> (String) payload(i).get("id")));
        Map<String, Object> call = payload(touches.get(1));
        assertEquals("CALL", call.get("type"));
        assertEquals("other", call.get("channel"));
        assertEquals(List.of(Map.of("type", "email", "value", "ada@acme.com")), call.get("identifiers"));
        assertEquals("events", payload(touches.get(0)).get("channel"));
        List<Map<String, Object>> facts = feed("identity-facts", ws);
        assertEquals(1, facts.size(), "an offline touch naming a person by email links; one by contact id alone does not need to");
        assertEquals("touch:call-1", payload(facts.get(0)).get("id"));
    }

    static final String ERASURE = "{ id state services { service state reason chunks removed { kind count } } }";

    /**
     * The erasure job as ingestion drives it, with identity and attribution played by their reports: the request is
     * carried to identity on the identity-facts feed; identity names the person's other identifiers; ingestion deletes
     * what names any of them and names them on the erasures feed; attribution reports; the job is done and keeps no value.
     */
    @Test
    void anErasureJobDeletesEveryIdentifierOfThePersonThatIdentityNames() {
        String ws = workspace();
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-ada", "email", "ada@acme.com", "accountId", "001A"),
                Map.of("id", "c-bob", "email", "bob@acme.com")));
        upsert(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(
                Map.of("id", "t-ada", "occurredAt", "2026-03-03T15:00:00Z", "email", "ada@acme.com", "type", "CALL"),
                Map.of("id", "t-bob", "occurredAt", "2026-03-03T15:00:00Z", "email", "bob@acme.com", "type", "CALL")));
        String key = io.closedloop.ingestion.rest.IngestionTesting.writeKey(ws);
        given().auth().preemptive().basic(key, "").contentType("application/json")
                .body("{\"messageId\":\"p-ada\",\"anonymousId\":\"anon-ada\",\"timestamp\":\"2026-03-01T10:00:00Z\","
                        + "\"properties\":{\"url\":\"https://acme.com/?email=ada@acme.com\"}}")
                .post("/v1/page").then().statusCode(200);

        String admin = TestKeys.token(ws, "admin");
        String id = call(admin, "mutation { erasePerson(identifiers: [{type: \"email\", value: \" ADA@acme.com\"}]) " + ERASURE + " }", Map.of())
                .body("errors", nullValue())
                .body("data.erasePerson.state", equalTo("PENDING"))
                .body("data.erasePerson.services.service", equalTo(List.of("ingestion", "identity", "attribution")))
                .extract().path("data.erasePerson.id");
        call(admin, "mutation { erasePerson(identifiers: [{type: \"email\", value: \"ada@acme.com\"}]) { id } }", Map.of())
                .body("data.erasePerson.id", equalTo(id));
        // The request reaches identity on the identity-facts feed, after the facts stored before it.
        List<Map<String, Object>> facts = feed("identity-facts", ws);
        Map<String, Object> marker = facts.get(facts.size() - 1);
        assertEquals("erasure", marker.get("kind"));
        assertEquals("erasure:" + id, payload(marker).get("id"));
        assertEquals(List.of(Map.of("type", "email", "value", "ada@acme.com")), payload(marker).get("identifiers"));
        // Already refused: the email is tombstoned.
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-new", "email", "ada@acme.com")))
                .body("data.upsertContacts[0].status", equalTo("REJECTED"))
                .body("data.upsertContacts[0].field", equalTo("email"));

        // identity names the person's identifiers: the anonymous visitor too.
        String identity = TestKeys.consumerToken("identity-service", "ingestion/identity-facts", "ingestion/crm");
        String report = "{\"workspace\":\"" + ws + "\",\"identifiers\":[{\"type\":\"email\",\"value\":\"ada@acme.com\"},"
                + "{\"type\":\"anonymous_id\",\"value\":\"anon-ada\"},{\"type\":\"contact_id\",\"value\":\"c-ada\"}],"
                + "\"removed\":{\"identifiers\":3,\"persons\":1}}";
        given().auth().oauth2(TestKeys.serviceToken("ingestion/erasures")).contentType("application/json").body(report)
                .post("/erasures/" + id + "/identity").then().statusCode(403);
        given().auth().oauth2(identity).contentType("application/json").body(report.replace(ws, "other"))
                .post("/erasures/" + id + "/identity").then().statusCode(410);
        given().auth().oauth2(TestKeys.serviceToken("ingestion/identity-facts", "ingestion/crm")).contentType("application/json").body(report)
                .post("/erasures/" + id + "/identity").then().statusCode(403).body("error", containsString("identity-service"));
        given().auth().oauth2(identity).contentType("application/json").body("{\"workspace\":\"" + ws + "\",\"identifiers\":[],"
                + "\"removed\":{\"touches\":\"ada@acme.com\"}}").post("/erasures/" + id + "/identity").then().statusCode(400)
                .body("error", containsString("removed.touches"));
        given().auth().oauth2(identity).contentType("application/json").body(report).post("/erasures/" + id + "/identity")
                .then().statusCode(204);

        List<Map<String, Object>> items = awaitErasureItem(ws);
        assertEquals(id, payload(items.get(0)).get("erasureId"));
        assertEquals(3, ((List<?>) payload(items.get(0)).get("identifiers")).size());
        assertEquals(List.of("t-bob"), feed("touches", ws).stream().map(i -> payload(i).get("id")).toList(),
                "the person's offline touch and their anonymous page view are gone");
        Map<String, Object> contact = feed("crm", ws).stream().filter(i -> "c-ada".equals(payload(i).get("id"))).findFirst().orElseThrow();
        assertNull(payload(contact).get("email"), "the CRM contact keeps its id and account, not the email");
        assertEquals("001A", payload(contact).get("accountId"));
        call(admin, "{ erasure(id: \"" + id + "\") " + ERASURE + " }", Map.of())
                .body("data.erasure.state", equalTo("PENDING"))
                .body("data.erasure.services[0].state", equalTo("DONE"))
                .body("data.erasure.services[0].removed.find { it.kind == 'touches' }.count", equalTo(2))
                .body("data.erasure.services[0].removed.find { it.kind == 'contacts' }.count", equalTo(1))
                .body("data.erasure.services[1].state", equalTo("DONE"))
                .body("data.erasure.services[2].state", equalTo("PENDING"));

        given().auth().oauth2(TestKeys.consumerToken("attribution-service", "ingestion/erasures")).contentType("application/json")
                .body("{\"workspace\":\"" + ws + "\",\"removed\":{\"touches\":2,\"memberships\":3}}")
                .post("/erasures/" + id + "/attribution").then().statusCode(204);
        call(admin, "{ erasure(id: \"" + id + "\") " + ERASURE + " }", Map.of())
                .body("data.erasure.state", equalTo("DONE"))
                .body("data.erasure.services[2].removed.find { it.kind == 'memberships' }.count", equalTo(3));
        assertEquals(List.of(), feed("erasures", ws), "the item that named the identifiers is gone once every service is done");
        assertTrue(feed("identity-facts", ws).stream().noneMatch(i -> "erasure".equals(i.get("kind"))));
        call(TestKeys.token(ws, "admin"), "{ erasure(id: \"" + id + "\") { id } }", Map.of()).body("data.erasure.id", equalTo(id));
        call(TestKeys.token("other", "admin"), "{ erasure(id: \"" + id + "\") { id } }", Map.of()).body("data.erasure", nullValue());

        // The person does not come back: their contact, anonymous id and phone-less offline touch are refused.
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-ada", "accountId", "001B")))
                .body("data.upsertContacts[0].status", equalTo("REJECTED"))
                .body("data.upsertContacts[0].field", equalTo("id"))
                .body("data.upsertContacts[0].error", containsString("erased"));
        upsert(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(
                Map.of("id", "t-ada2", "occurredAt", "2026-03-04T15:00:00Z", "contactId", "c-ada", "type", "CALL")))
                .body("data.upsertOfflineTouches[0].field", equalTo("contactId"));
        given().auth().preemptive().basic(key, "").contentType("application/json")
                .body("{\"messageId\":\"p-ada2\",\"anonymousId\":\"anon-ada\",\"timestamp\":\"2026-03-02T10:00:00Z\"}")
                .post("/v1/page").then().statusCode(200);
        assertEquals(List.of("t-bob"), feed("touches", ws).stream().map(i -> payload(i).get("id")).toList());

        call(TestKeys.token(ws, "admin"), "mutation { erasePerson(identifiers: [{type: \"shoe_size\", value: \"9\"}]) { id } }", Map.of())
                .body("errors[0].message", containsString("erasePerson.identifiers[0].type"));
        call(TestKeys.token(ws, "ingest"), "mutation { erasePerson(identifiers: [{type: \"email\", value: \"bob@acme.com\"}]) { id } }", Map.of())
                .body("errors[0].message", containsString("needs the role admin"));
    }

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    /**
     * hashIdentifiers (DESIGN §6): emails and phones are stored and published as keyed hashes keeping the email's domain, the
     * personal fields of raw payloads and URLs are redacted, and the setting cannot change once the workspace holds data.
     */
    @Test
    void aWorkspaceWithHashedIdentifiersStoresNoEmailPhoneOrNameInTheClear() {
        String ws = workspace();
        String admin = TestKeys.token(ws, "admin");
        call(admin, "mutation { updatePrivacySettings(hashIdentifiers: true) { hashIdentifiers } }", Map.of())
                .body("errors", nullValue()).body("data.updatePrivacySettings.hashIdentifiers", equalTo(true));
        String key = io.closedloop.ingestion.rest.IngestionTesting.writeKey(ws);
        given().auth().preemptive().basic(key, "").contentType("application/json")
                .body("{\"messageId\":\"h-id\",\"anonymousId\":\"anon-h\",\"traits\":{\"email\":\"Grace.Hopper@Navy.example\","
                        + "\"phone\":\"+1 555 0100 42\",\"firstName\":\"Grace\",\"lastName\":\"Hopperish\"},\"timestamp\":\"2026-03-01T10:00:00Z\"}")
                .post("/v1/identify").then().statusCode(200);
        given().auth().preemptive().basic(key, "").contentType("application/json")
                .body("{\"messageId\":\"h-pg\",\"anonymousId\":\"anon-h\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"context\":{\"page\":"
                        + "{\"url\":\"https://navy.example/?utm_source=google&email=grace.hopper@navy.example&Phone=555010042#top\","
                        + "\"referrer\":\"https://mail.example/?mail=grace.hopper@navy.example\"},\"traits\":{\"email\":\"grace.hopper@navy.example\"}}}")
                .post("/v1/page").then().statusCode(200);
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-g1", "email", "grace.hopper@navy.example",
                "phone", "+1 555 0100 42"))).body("data.upsertContacts[0].status", equalTo("CREATED"));
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-bad", "email", "grace.hopper@navy.example (work)")))
                .body("data.upsertContacts[0].error", org.hamcrest.Matchers.not(containsString("grace")));

        String email = call(admin, "{ storedIdentifier(identifier: {type: \"email\", value: \"GRACE.HOPPER@navy.example\"}) }", Map.of())
                .extract().path("data.storedIdentifier");
        String phone = call(admin, "{ storedIdentifier(identifier: {type: \"phone\", value: \"+1 (555) 0100-42\"}) }", Map.of())
                .extract().path("data.storedIdentifier");
        assertTrue(email.matches("h_[0-9a-f]{32}@navy\\.example"), email);
        assertTrue(phone.matches("\\+00[0-9]{18}"), phone);
        List<Map<String, Object>> facts = feed("identity-facts", ws);
        assertEquals(List.of(Map.of("type", "anonymous_id", "value", "anon-h"), Map.of("type", "email", "value", email),
                Map.of("type", "phone", "value", phone)), payload(facts.get(0)).get("identifiers"));
        Map<String, Object> touch = payload(feed("touches", ws).get(0));
        assertEquals("https://navy.example/?utm_source=google&email=redacted&Phone=redacted#top", touch.get("url"));
        assertEquals("https://mail.example/?mail=redacted", touch.get("referrer"));
        assertEquals("google", touch.get("source"));
        assertTrue(touch.get("identifiers").toString().contains(email), touch.toString());
        Map<String, Object> contact = payload(feed("crm", ws).get(0));
        assertEquals(email, contact.get("email"));
        assertEquals(phone, contact.get("phone"));
        // Nothing in any column of the workspace's rows names the person in the clear.
        for (String table : List.of("touch", "identity_fact", "crm_contact", "import_job")) {
            long rows = pool.preparedQuery("select count(*) from " + table + " t where workspace_id = $1 and"
                            + " (t::text ilike '%grace%' or t::text ilike '%hopper%' or t::text like '%555010042%' or t::text like '%+1 555%')")
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(ws)).await().indefinitely().iterator().next().getLong(0);
            assertEquals(0, rows, table);
        }
        call(admin, "mutation { updatePrivacySettings(hashIdentifiers: false) { hashIdentifiers } }", Map.of())
                .body("errors[0].message", containsString("updatePrivacySettings.hashIdentifiers"));
        call(admin, "{ privacySettings { hashIdentifiers } }", Map.of()).body("data.privacySettings.hashIdentifiers", equalTo(true));

        // An erasure by the plain email finds the hashed one.
        String id = call(admin, "mutation { erasePerson(identifiers: [{type: \"email\", value: \"grace.hopper@navy.example\"}]) { id } }",
                Map.of()).extract().path("data.erasePerson.id");
        List<Map<String, Object>> after = feed("identity-facts", ws);
        Map<String, Object> marker = after.get(after.size() - 1);
        assertEquals("erasure:" + id, payload(marker).get("id"));
        assertEquals(List.of(Map.of("type", "email", "value", email)), payload(marker).get("identifiers"));
    }

    private static List<Map<String, Object>> awaitErasureItem(String ws) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            List<Map<String, Object>> items = feed("erasures", ws);
            if (!items.isEmpty()) {
                return items;
            }
            assertTrue(System.currentTimeMillis() < deadline, "no erasures item within 20 s");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void reportingCurrencyIsSetByAdmin() {
        String ws = workspace();
        call(TestKeys.token(ws, "ingest"), "{ reportingCurrency }", Map.of()).body("data.reportingCurrency", equalTo("USD"));
        call(TestKeys.token(ws, "admin"), "mutation { updateReportingCurrency(currency: \"eur\") }", Map.of())
                .body("errors", nullValue())
                .body("data.updateReportingCurrency", equalTo("EUR"));
        call(TestKeys.token(ws, "admin"), "mutation { updateReportingCurrency(currency: \"euro\") }", Map.of())
                .body("errors[0].message", containsString("updateReportingCurrency.currency"));
        upsert(ws, "upsertRevenue", "RevenueInput", List.of(Map.of("id", "i", "accountId", "a", "amount", "5", "currency", "USD",
                "occurredAt", "2026-03-05T00:00:00Z")))
                .body("data.upsertRevenue[0].error", containsString("EUR"));
    }
}
