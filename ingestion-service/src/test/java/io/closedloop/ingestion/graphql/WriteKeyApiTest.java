package io.closedloop.ingestion.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class WriteKeyApiTest {

    @Test
    void requestWithoutTokenIsRefusedWith401() {
        graphql(null, "{ writeKeys { key } }").statusCode(401);
    }

    @Test
    void tokenSignedByAnUntrustedKeyIsRefusedWith401() {
        graphql(TestKeys.foreignToken("acme", "admin"), "{ writeKeys { key } }").statusCode(401);
    }

    /** mp.jwt.verify.token.age: a token issued more than 31 days ago is refused whatever its exp; one issued 30 days ago is not. */
    @Test
    void aTokenIssuedLongerAgoThanTheMaximumAgeIsRefusedWith401() {
        io.closedloop.launcher.DevTokens tokens = io.closedloop.launcher.DevTokens.of(TestKeys.keys());
        java.time.Instant now = java.time.Instant.now();
        String old = tokens.mintIssuedAt("test-user", "acme", java.util.List.of("admin"), now.minus(java.time.Duration.ofDays(32)),
                now.plus(java.time.Duration.ofDays(30)));
        String recent = tokens.mintIssuedAt("test-user", "acme", java.util.List.of("admin"), now.minus(java.time.Duration.ofDays(30)),
                now.plus(java.time.Duration.ofDays(30)));
        graphql(old, "{ writeKeys { key } }").statusCode(401);
        graphql(recent, "{ writeKeys { key } }").statusCode(200).body("errors", nullValue());
    }

    @Test
    void adminCreatesAWriteKeyAndSeesItListed() {
        String admin = TestKeys.token("acme", "admin");
        String key = graphql(admin, "mutation { createWriteKey(name: \"website\") { key name revokedAt } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data.createWriteKey.name", equalTo("website"))
                .extract().path("data.createWriteKey.key");
        graphql(admin, "{ writeKeys { key name } }")
                .statusCode(200)
                .body("data.writeKeys.key", hasItem(key));
        // Two aliased root fields of one kind, as Apollo Router and Gateway batch them: both answered.
        graphql(admin, "{ a: writeKeys { key } b: writeKeys { name } }")
                .statusCode(200)
                .body("errors", nullValue())
                .body("data.a.key", hasItem(key))
                .body("data.b.name", hasItem("website"));
    }

    @Test
    void anotherWorkspaceSeesAndRevokesNoneOfTheKeys() {
        String acme = TestKeys.token("acme", "admin");
        String globex = TestKeys.token("globex", "admin");
        Object id = graphql(acme, "mutation { createWriteKey(name: \"app\") { id key } }")
                .extract().path("data.createWriteKey.id");
        String key = graphql(acme, "{ writeKeys { id key } }").extract().path("data.writeKeys.find { it.id == '" + id + "' }.key");

        graphql(globex, "{ writeKeys { key } }").statusCode(200).body("data.writeKeys.key", not(hasItem(key)));
        graphql(globex, "mutation { revokeWriteKey(id: \"" + id + "\") { key } }")
                .statusCode(200).body("data.revokeWriteKey", nullValue());
        graphql(acme, "{ writeKeys { id revokedAt } }")
                .body("data.writeKeys.find { it.id == '" + id + "' }.revokedAt", nullValue());

        graphql(acme, "mutation { revokeWriteKey(id: \"" + id + "\") { revokedAt } }")
                .body("data.revokeWriteKey.revokedAt", notNullValue());
    }

    @Test
    void analystMayNotManageWriteKeys() {
        graphql(TestKeys.token("acme", "analyst"), "{ writeKeys { key } }")
                .statusCode(200)
                .body("data.writeKeys", nullValue())
                .body("errors[0].message", containsString("needs the role admin"));
    }

    @Test
    void tokenWithoutWorkspaceClaimGetsANamedError() {
        graphql(TestKeys.token(null, "admin"), "{ writeKeys { key } }")
                .statusCode(200)
                .body("errors[0].message", containsString("workspace"));
    }

    @Test
    void blankKeyNameIsRejectedNamingTheField() {
        graphql(TestKeys.token("acme", "admin"), "mutation { createWriteKey(name: \" \") { key } }")
                .body("errors[0].message", containsString("createWriteKey.name"));
    }

    @Test
    void healthAndMetricsAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server"));
    }
}
