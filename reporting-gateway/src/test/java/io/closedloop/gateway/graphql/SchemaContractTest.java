package io.closedloop.gateway.graphql;

import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public schema is a contract: the SDL the gateway serves must equal the committed
 * {@code docs/api/gateway.graphql}. After an intended change, regenerate the file with
 * {@code ./mvnw -pl reporting-gateway test -Dtest=SchemaContractTest -DupdateSchema=true}
 * and commit it with the change.
 */
@QuarkusTest
@TestProfile(GatewaySecurityTest.Keys.class)
class SchemaContractTest {

    private static final Path COMMITTED = Path.of("..", "docs", "api", "gateway.graphql");

    @Test
    void servedSchemaMatchesTheCommittedContract() throws Exception {
        String served = given().header("Authorization", "Bearer " + TestKeys.token("acme", "analyst"))
                .get("/graphql/schema.graphql").then().statusCode(200).extract().asString();
        // The file's leading comment block is written by hand (what it is, the breaking changes since the released
        // version, which end-to-end's FederationCompositionIT checks against @graphql-inspector's diff); the rest is generated.
        String committed = Files.readString(COMMITTED);
        String header = committed.startsWith("#") ? committed.substring(0, committed.indexOf("\n\n") + 2) : "";
        if (Boolean.getBoolean("updateSchema")) {
            Files.writeString(COMMITTED, header + served);
        }
        assertEquals(Files.readString(COMMITTED), header + served,
                "the served schema drifted from docs/api/gateway.graphql; if intended, regenerate it (see this test's Javadoc)");
    }
}
