package io.closedloop.ingestion.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
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

    @Test
    void erasingAPersonDeletesWhatNamesThemAndPublishesATombstone() {
        String ws = workspace();
        upsert(ws, "upsertContacts", "ContactInput", List.of(Map.of("id", "c-ada", "email", "ada@acme.com"),
                Map.of("id", "c-bob", "email", "bob@acme.com")));
        upsert(ws, "upsertOfflineTouches", "OfflineTouchInput", List.of(
                Map.of("id", "t-ada", "occurredAt", "2026-03-03T15:00:00Z", "email", "ada@acme.com", "type", "CALL"),
                Map.of("id", "t-bob", "occurredAt", "2026-03-03T15:00:00Z", "email", "bob@acme.com", "type", "CALL")));
        call(TestKeys.token(ws, "admin"), "mutation { erasePerson(identifiers: [{type: \"email\", value: \" ADA@acme.com\"}]) "
                + "{ identifiers touchesDeleted identityFactsDeleted contactsDeleted } }", Map.of())
                .body("errors", nullValue())
                .body("data.erasePerson.identifiers", equalTo(List.of("email:ada@acme.com")))
                .body("data.erasePerson.touchesDeleted", equalTo(1))
                .body("data.erasePerson.identityFactsDeleted", equalTo(2))
                .body("data.erasePerson.contactsDeleted", equalTo(1));
        assertEquals(List.of("t-bob"), feed("touches", ws).stream().map(i -> payload(i).get("id")).toList());
        List<Map<String, Object>> tombstones = feed("erasures", ws);
        assertEquals(1, tombstones.size());
        assertEquals(List.of(Map.of("type", "email", "value", "ada@acme.com")), payload(tombstones.get(0)).get("identifiers"));
        call(TestKeys.token(ws, "admin"), "mutation { erasePerson(identifiers: [{type: \"shoe_size\", value: \"9\"}]) { touchesDeleted } }", Map.of())
                .body("errors[0].message", containsString("erasePerson.identifiers[0].type"));
        call(TestKeys.token(ws, "ingest"), "mutation { erasePerson(identifiers: [{type: \"email\", value: \"bob@acme.com\"}]) { touchesDeleted } }", Map.of())
                .body("errors[0].message", containsString("needs the role admin"));
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
