package io.closedloop.attribution.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "attribution"))
class AttributionSettingsApiTest {

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        graphql(null, "{ attributionSettings { lookbackDays } }").statusCode(401);
    }

    @Test
    void aVerifiedTokenIsRememberedAndAForeignOneNever() {
        // The caller's token the gateway forwards is checked once a minute here too (plumbing's auth/VerifiedTokens).
        String token = TestKeys.token("remembered", "analyst");
        for (int i = 0; i < 2; i++) {
            graphql(token, "{ attributionSettings { lookbackDays } }").statusCode(200).body("data.attributionSettings.lookbackDays", equalTo(365));
            graphql(TestKeys.foreignToken("remembered", "analyst"), "{ attributionSettings { lookbackDays } }").statusCode(401);
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*closedloop_verified_tokens [1-9].*"));
    }

    @Test
    void twoAliasedRootFieldsOfOneKindAreBothAnswered() {
        // Apollo Router and Apollo Gateway batch root fields for one subgraph into one document this way.
        graphql(TestKeys.token("fresh", "analyst"), "{ a: attributionSettings { lookbackDays } b: attributionSettings { halfLifeDays } }")
                .body("errors", nullValue())
                .body("data.a.lookbackDays", equalTo(365))
                .body("data.b.halfLifeDays", equalTo(7.0f));
    }

    @Test
    void atMostTwentyRootFieldsPerOperationAliasesCounted() {
        String twenty = "{" + java.util.stream.IntStream.rangeClosed(1, 20)
                .mapToObj(i -> " s" + i + ": attributionSettings { lookbackDays }").collect(java.util.stream.Collectors.joining());
        graphql(TestKeys.token("fresh", "analyst"), twenty + " }").body("errors", nullValue()).body("data.s20.lookbackDays", equalTo(365));
        graphql(TestKeys.token("fresh", "analyst"), twenty + " s21: attributionSettings { lookbackDays } }")
                .body("errors[0].message", containsString("selects 21 root fields (aliases counted); at most 20"));
        graphql(TestKeys.token("acme", "admin"), "mutation {" + java.util.stream.IntStream.rangeClosed(1, 21)
                .mapToObj(i -> " m" + i + ": updateAttributionSettings(lookbackDays: 90) { lookbackDays }")
                .collect(java.util.stream.Collectors.joining()) + " }")
                .body("errors[0].message", containsString("selects 21 root fields"));
    }

    @Test
    void badRequestsAre4xxAsTheGraphQlOverHttpSpecSays() throws Exception {
        String token = TestKeys.token("fresh", "analyst");
        // A document that does not parse, one that does not validate, variables that do not coerce: 400 with the errors
        // for a client of application/graphql-response+json, 200 with them for one of application/json.
        post(token, "application/json", "{\"query\": \"{ attributionSettings { \"}").statusCode(400)
                .contentType(containsString("application/graphql-response+json")).body("errors[0].message", containsString("Invalid syntax"));
        given().auth().oauth2(token).contentType("application/json").accept("application/json")
                .body("{\"query\": \"{ attributionSettings { \"}").post("/graphql").then().statusCode(200)
                .contentType(containsString("application/json")).body("errors[0].message", containsString("Invalid syntax"));
        post(token, "application/json", "{\"query\": \"{ attributionSettings { nope } }\"}").statusCode(400)
                .body("errors[0].message", containsString("nope"));
        post(token, "application/json", "{\"query\": \"query($m: Int!) { attribution(period: {from: \\\"2026-01-01\\\", to: \\\"2026-01-31\\\"},"
                + " model: {name: MARKOV, markovOrder: $m}) { attributedOpportunities } }\", \"variables\": {\"m\": null}}")
                .statusCode(400).body("errors[0].message", containsString("'m'"));
        post(token, "application/json", "{not json").statusCode(400).body("errors[0].message", containsString("body"));
        // A POST without Content-Type (rest-assured always sends one, the JDK client does not).
        java.net.http.HttpResponse<String> untyped = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/graphql"))
                .header("Authorization", "Bearer " + token)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"query\": \"{ attributionSettings { lookbackDays } }\"}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(415, untyped.statusCode(), untyped.body());
        // A well-formed request is 200, its execution errors in the body; */* is answered as application/json.
        given().auth().oauth2(token).contentType("application/json").accept("*/*")
                .body("{\"query\": \"{ attributionSettings { lookbackDays } }\"}").post("/graphql")
                .then().statusCode(200).contentType(containsString("application/json")).body("data.attributionSettings.lookbackDays", equalTo(365));
        graphql(TestKeys.token("fresh", "ingest"), "{ attributionSettings { lookbackDays } }").statusCode(200)
                .body("errors[0].message", containsString("needs the role"));
    }

    private static io.restassured.response.ValidatableResponse post(String token, String contentType, String body) {
        return given().auth().oauth2(token).contentType(contentType).accept("application/graphql-response+json").body(body)
                .post("/graphql").then();
    }

    @Test
    void aWorkspaceStartsWithTheDesignDefaults() {
        graphql(TestKeys.token("fresh", "analyst"), "{ attributionSettings { lookbackDays halfLifeDays journeyScope } }")
                .body("data.attributionSettings.lookbackDays", equalTo(365))
                .body("data.attributionSettings.halfLifeDays", equalTo(7.0f))
                .body("data.attributionSettings.journeyScope", equalTo("ACCOUNT"));
    }

    @Test
    void adminChangesOneSettingAndKeepsTheOthers() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateAttributionSettings(lookbackDays: 90) { lookbackDays halfLifeDays } }")
                .body("errors", nullValue())
                .body("data.updateAttributionSettings.lookbackDays", equalTo(90))
                .body("data.updateAttributionSettings.halfLifeDays", equalTo(7.0f));
        graphql(TestKeys.token("globex", "analyst"), "{ attributionSettings { lookbackDays } }")
                .body("data.attributionSettings.lookbackDays", equalTo(365));
    }

    @Test
    void aNegativeHalfLifeIsRejectedNamingTheField() {
        graphql(TestKeys.token("acme", "admin"), "mutation { updateAttributionSettings(halfLifeDays: -1) { halfLifeDays } }")
                .body("errors[0].message", containsString("updateAttributionSettings.halfLifeDays"));
    }

    @Test
    void ingestRoleMayNotReadSettings() {
        graphql(TestKeys.token("acme", "ingest"), "{ attributionSettings { lookbackDays } }")
                .body("errors[0].message", containsString("needs the role analyst or admin"));
    }
}
