package io.closedloop.ingestion.rest;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.closedloop.ingestion.rest.IngestionTesting.writeKey;
import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Ingestion with low limits: a workspace over its Segment rate gets 429 with Retry-After (which analytics-node honours),
 * nothing stored, whichever of its write keys sends, and another workspace is not slowed; an import waiting for a slot
 * behind one paced by its workspace's rate stays RUNNING past the stale time (its heartbeat), then runs.
 */
@QuarkusTest
@TestProfile(LowLimitsTest.LowLimit.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class LowLimitsTest {

    public static class LowLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("closedloop.ingestion.segment.rate-limit-per-second", "1",
                    "closedloop.ingestion.segment.rate-limit-burst", "3",
                    "closedloop.ingestion.imports.concurrency", "1",
                    "closedloop.ingestion.imports.rows-per-second", "0.2",
                    "closedloop.ingestion.imports.rows-burst", "1",
                    "closedloop.ingestion.imports.max-chunk-rows", "1",
                    "closedloop.ingestion.imports.heartbeat-interval", "300ms",
                    "closedloop.ingestion.imports.stale-after", "2s");
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

    @Test
    void anImportWaitingBehindAPacedOneStaysRunningPastTheStaleTimeThenRuns() throws InterruptedException {
        // Three rows in chunks of one at a fifth of a row per second: after its second row the first import pauses about
        // 5 s, holding the only slot (it does not pause after its last chunk).
        String paced = ImportApiTest.workspace();
        String first = ImportApiTest.startImport(paced, "accounts", null, "Id,Name\na1,A\na2,B\na3,C\n");
        String waiting = ImportApiTest.workspace();
        String second = ImportApiTest.startImport(waiting, "accounts", null, "Id,Name\nb1,B\n");
        Thread.sleep(3_500); // past the 2 s stale time
        for (String[] job : new String[][] {{paced, first}, {waiting, second}}) {
            assertEquals("RUNNING", graphql(TestKeys.token(job[0], "ingest"), "{ importJob(id: \"" + job[1] + "\") { state } }")
                    .extract().path("data.importJob.state"), "alive while it pauses or waits: " + job[1]);
        }
        assertEquals("SUCCEEDED", ImportApiTest.awaitJob(waiting, second).getString("data.importJob.state"));
        assertEquals("SUCCEEDED", ImportApiTest.awaitJob(paced, first).getString("data.importJob.state"));
    }
}
