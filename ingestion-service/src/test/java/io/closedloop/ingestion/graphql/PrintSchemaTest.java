package io.closedloop.ingestion.graphql;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class PrintSchemaTest {
    @Test
    void print() throws Exception {
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/ingestion-schema.graphql"), given().auth().oauth2(io.closedloop.launcher.testing.TestKeys.token("x", "admin")).get("/graphql/schema.graphql").asString());
    }
}
