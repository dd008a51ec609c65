package io.closedloop.gateway.graphql;

import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The gateway's answer cache (client/AnswerCache, graphql/CachedQueries) against a stand-in
 * attribution-service that counts its calls. Each test asks about a period of its own, so the
 * answers other tests left do not count.
 */
@QuarkusTest
@TestProfile(GatewaySecurityTest.Keys.class)
class GatewayCacheTest {

    private static final StubAttribution ATTRIBUTION = StubAttribution.INSTANCE;

    private static String performance(String from, String fields) {
        return "{ performance(period: {from: \"" + from + "\", to: \"2026-03-31\"}, model: {name: LINEAR}) { " + fields + " } }";
    }

    private static ValidatableResponse ask(String token, String query) {
        return given().contentType("application/json").header("Authorization", "Bearer " + token)
                .body(Map.of("query", query)).post("/graphql").then().statusCode(200);
    }

    @Test
    void aDocumentOfMoreThanTwentyAliasedReportsIsRefusedWithoutCallingTheSubgraph() {
        StringBuilder query = new StringBuilder("{");
        for (int i = 1; i <= 21; i++) {
            query.append(" r").append(i).append(": performance(period: {from: \"2025-01-").append(String.format("%02d", i))
                    .append("\", to: \"2025-03-31\"}, model: {name: LINEAR}) { totals { revenue } }");
        }
        int before = ATTRIBUTION.calls();
        ask(TestKeys.token("acme", "analyst"), query.append(" }").toString())
                .body("errors[0].message", containsString("selects 21 root fields (aliases counted); at most 20"));
        assertEquals(before, ATTRIBUTION.calls(), "nothing was computed");
    }

    @Test
    void theSameDocumentFromTheSameWorkspaceAndRolesIsAnsweredOnce() {
        String query = performance("2026-01-01", "rows { edges { node { key amount roi } } } totals { revenue }");
        int before = ATTRIBUTION.calls();
        ask(TestKeys.token("acme", "analyst"), query).body("data.performance.rows.edges[0].node.amount", equalTo("300.00"));
        ask(TestKeys.token("acme", "analyst"), query).body("data.performance.rows.edges[0].node.amount", equalTo("300.00"));
        assertEquals(before + 1, ATTRIBUTION.calls());
        // Another workspace, or other roles: the subgraph is asked, since its answer could differ or be refused.
        ask(TestKeys.token("globex", "analyst"), query).body("data.performance.totals.revenue", equalTo("200.00"));
        ask(TestKeys.token("acme", "admin"), query).body("data.performance.totals.revenue", equalTo("200.00"));
        assertEquals(before + 3, ATTRIBUTION.calls());
    }

    @Test
    void aDocumentAnsweredMomentsAgoIsNotExecutedAgain() {
        // marketingTouchTypes keeps no subgraph answer of its own: only the whole document's result is kept.
        String query = "query Types { marketingTouchTypes }";
        int before = ATTRIBUTION.calls();
        ask(TestKeys.token("initech", "analyst"), query).body("data.marketingTouchTypes[1]", equalTo("WEBINAR"));
        ask(TestKeys.token("initech", "analyst"), query).body("data.marketingTouchTypes[1]", equalTo("WEBINAR"));
        assertEquals(before + 1, ATTRIBUTION.calls());
    }

    @Test
    void documentsAskingTheSameReportShareTheSubgraphsAnswer() {
        int before = ATTRIBUTION.calls();
        ask(TestKeys.token("acme", "analyst"), performance("2026-01-02", "rows { edges { node { key } } }"));
        ask(TestKeys.token("acme", "analyst"), performance("2026-01-02", "rows { totalCount edges { node { key credit } } } totals { spend }"))
                .body("data.performance.totals.spend", equalTo("100.00"));
        assertEquals(before + 1, ATTRIBUTION.calls());
    }

    @Test
    void aSettingChangedThroughTheGatewayEmptiesTheCache() {
        String query = performance("2026-01-03", "currency");
        String admin = TestKeys.token("acme", "admin");
        ask(admin, query);
        int before = ATTRIBUTION.calls();
        ask(admin, query);
        assertEquals(before, ATTRIBUTION.calls());
        ask(admin, "mutation { updateMarketingTouchTypes(types: [AD_CLICK]) }").body("data.updateMarketingTouchTypes[0]", equalTo("AD_CLICK"));
        ask(admin, query);
        assertEquals(before + 2, ATTRIBUTION.calls()); // the mutation, then the report asked again
    }

    @Test
    void anAnswerWithErrorsIsNotKept() {
        String query = performance("2020-01-01", "currency");
        int before = ATTRIBUTION.calls();
        ask(TestKeys.token("acme", "analyst"), query).body("errors[0].message", containsString("no data before 2021"));
        ask(TestKeys.token("acme", "analyst"), query).body("errors[0].message", containsString("no data before 2021"));
        assertEquals(before + 2, ATTRIBUTION.calls());
    }
}
