package io.closedloop.gateway.graphql;

import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;

/** The gateway's own edge checks; queries through to real subgraphs are proven in end-to-end. */
@QuarkusTest
@TestProfile(GatewaySecurityTest.Keys.class)
class GatewaySecurityTest {

    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.publickey.location", TestKeys.keys().publicKeyFile().toString(),
                    // Nothing listens here: a subgraph that is down must give a named error, not a 5xx.
                    "closedloop.identity.url", "http://localhost:1",
                    "closedloop.attribution.url", "http://localhost:1",
                    "closedloop.ingestion.url", "http://localhost:1");
        }
    }

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        given().contentType("application/json").body(Map.of("query", "{ identitySettings { explosionGuardLimit } }"))
                .post("/graphql").then().statusCode(401);
    }

    @Test
    void tokenSignedByAnUntrustedKeyIsRefusedWith401() {
        given().contentType("application/json").header("Authorization", "Bearer " + TestKeys.foreignToken("acme", "analyst"))
                .body(Map.of("query", "{ identitySettings { explosionGuardLimit } }"))
                .post("/graphql").then().statusCode(401);
    }

    @Test
    void anUnreachableSubgraphIsNamedInTheError() {
        given().contentType("application/json").header("Authorization", "Bearer " + TestKeys.token("acme", "analyst"))
                .body(Map.of("query", "{ identitySettings { explosionGuardLimit } }"))
                .post("/graphql").then().statusCode(200)
                .body("errors[0].message", containsString("identity could not be reached"))
                .body("errors[0].extensions.code", org.hamcrest.Matchers.equalTo("SUBGRAPH_UNAVAILABLE"))
                .body("data", org.hamcrest.Matchers.nullValue());
    }

    private static io.restassured.response.ValidatableResponse graphql(String query) {
        return given().contentType("application/json").header("Authorization", "Bearer " + TestKeys.token("acme", "analyst"))
                .body(Map.of("query", query)).post("/graphql").then().statusCode(200);
    }

    @Test
    void dashboardChartJsAndGraphiqlAreServedWithoutAToken() {
        // The page and its scripts are public; only the GraphQL calls it makes need the user's token.
        given().get("/dashboard/").then().statusCode(200).body(containsString("dashboard.js"))
                .body(containsString("/webjars/chart.js/4.5.1/dist/chart.umd.min.js"));
        given().get("/dashboard/dashboard.js").then().statusCode(200).body(containsString("Authorization: 'Bearer '"));
        given().get("/webjars/chart.js/4.5.1/dist/chart.umd.min.js").then().statusCode(200).body(containsString("Chart"));
        given().get("/").then().statusCode(200).body(containsString("/dashboard/"));
        given().get("/graphql-ui/").then().statusCode(200).body(containsString("render.js"));
        given().get("/graphql-ui/render.js").then().statusCode(200).body(containsString("createFetcher({ url: '/graphql' })"));
        given().get("/graphql-ui/graphiql.min.js").then().statusCode(200);
    }

    @Test
    void overDeepQueryIsRefusedBeforeAnySubgraphCall() {
        String deep = "{ __schema { types { fields { type " + "{ ofType ".repeat(14) + "{ name }" + " }".repeat(14) + " } } } }";
        graphql(deep).body("errors[0].message", containsString("maximum query depth exceeded"))
                .body("data", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void overComplexQueryIsRefused() {
        StringBuilder query = new StringBuilder("{ attributionSettings {");
        for (int i = 0; i < 400; i++) {
            query.append(" a").append(i).append(": lookbackDays");
        }
        graphql(query.append(" } }").toString()).body("errors[0].message", containsString("maximum query complexity exceeded: 401 fields"))
                .body("errors[0].extensions.code", org.hamcrest.Matchers.equalTo("QUERY_LIMIT_EXCEEDED"));
    }

    @Test
    void moreThanTwentyRootFieldsAreRefused() {
        StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < 21; i++) {
            query.append(" a").append(i).append(": attributionSettings { lookbackDays }");
        }
        graphql(query.append(" }").toString()).body("errors[0].message", containsString("21 root fields"));
    }

    @Test
    void aMutationSentWithGetIsRefusedWith405() {
        given().header("Authorization", "Bearer " + TestKeys.token("acme", "admin"))
                .queryParam("query", "mutation { createWriteKey(name: \"x\") { key } }")
                .get("/graphql").then().statusCode(405).header("Allow", "POST");
    }

    @Test
    void introspectionIsAnsweredByTheGatewayWithoutAnySubgraph() {
        graphql("{ __typename __schema { queryType { name } mutationType { name } } t: __type(name: \"Account\") { fields { name } } }")
                .body("errors", org.hamcrest.Matchers.nullValue())
                .body("data.__typename", org.hamcrest.Matchers.equalTo("Query"))
                .body("data.__schema.queryType.name", org.hamcrest.Matchers.equalTo("Query"))
                .body("data.t.fields.name", org.hamcrest.Matchers.hasItems("domains", "industry", "timeline", "opportunities"));
    }

    @Test
    void introspectionForGraphiqlStaysWithinTheLimits() {
        String typeRef = "{ kind name " + "ofType { kind name ".repeat(7) + "}".repeat(7) + " }";
        graphql("{ __schema { queryType { name } types { name fields { name args { name type " + typeRef + " } type " + typeRef + " } } } }")
                .body("errors", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void unknownModelIsRefusedNamingTheField() {
        // A model name is an enum: GraphQL validation refuses one it does not have, naming the argument and the type.
        graphql("{ performance(period: {from: \"2026-01-01\", to: \"2026-03-31\"}, model: {name: ASTROLOGY}) { basis } }")
                .body("errors[0].message", allOf(containsString("model"), containsString("ModelName"), containsString("ASTROLOGY")));
    }

    @Test
    void aVerifiedTokenIsRememberedAndAForeignOneNever() {
        graphql("{ __typename }");
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*closedloop_verified_tokens [1-9].*"));
        for (int i = 0; i < 2; i++) {
            given().contentType("application/json").header("Authorization", "Bearer " + TestKeys.foreignToken("acme", "analyst"))
                    .body(Map.of("query", "{ __typename }")).post("/graphql").then().statusCode(401);
        }
    }

    @Test
    void healthIsUp() {
        given().get("/q/health/ready").then().statusCode(200);
    }
}
