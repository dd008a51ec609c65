package io.closedloop.gateway.graphql;

import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
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
                    "closedloop.identity.url", "http://localhost:1");
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
                .body("errors[0].message", containsString("identity-service is unreachable"));
    }

    @Test
    void healthIsUp() {
        given().get("/q/health/ready").then().statusCode(200);
    }
}
