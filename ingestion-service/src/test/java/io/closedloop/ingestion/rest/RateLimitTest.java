package io.closedloop.ingestion.rest;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.closedloop.ingestion.rest.IngestionTesting.writeKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A workspace over its rate gets 429 with Retry-After (which analytics-node honours), nothing stored, whichever of its write
 * keys sends; another workspace is not slowed.
 */
@QuarkusTest
@TestProfile(RateLimitTest.LowLimit.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class RateLimitTest {

    public static class LowLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("closedloop.ingestion.segment.rate-limit-per-second", "1",
                    "closedloop.ingestion.segment.rate-limit-burst", "3");
        }
    }

    @Test
    void aWorkspaceOverItsRateGets429WithRetryAfterOnEveryKey() {
        String key = writeKey("rate");
        String batch = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"a\",\"messageId\":\"1\"},"
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"b\",\"messageId\":\"2\"},"
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"c\",\"messageId\":\"3\"},"
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"d\",\"messageId\":\"4\"},"
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"5\"}]}";
        given().auth().preemptive().basic(key, "").contentType("application/json").body(batch).post("/v1/batch")
                .then().statusCode(200);
        given().auth().preemptive().basic(key, "").contentType("application/json").body(batch).post("/v1/batch")
                .then().statusCode(429).header("Retry-After", equalTo("2")).body("error", containsString("rate limit"));
        // Another key of the same workspace shares its bucket: more keys are not more rate.
        given().auth().preemptive().basic(writeKey("rate"), "").contentType("application/json").body(batch).post("/v1/batch")
                .then().statusCode(429);
        // Another workspace has its own bucket.
        given().auth().preemptive().basic(writeKey("rate2"), "").contentType("application/json").body(batch).post("/v1/batch")
                .then().statusCode(200);
    }
}
