package io.closedloop.identity.health;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.closedloop.plumbing.feed.FeedClient;
import io.closedloop.plumbing.feed.FeedConsumer;
import io.closedloop.plumbing.feed.FeedsReadiness;
import io.closedloop.plumbing.feed.ServiceToken;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A consumer whose token the producer refuses makes its service not ready (an expired token never stops a feed
 * silently); a producer that is down only delays the copy. The producer here is this service's own memberships feed.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "identity"))
class FeedsReadinessTest {

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Test
    void aRefusedTokenIsNotReadyAProducerDownIsOnlyLate() throws InterruptedException {
        FeedClient refusing = new FeedClient(vertx, "http://localhost:" + RestAssured.port, "an-expired-token", 5_000);
        FeedClient down = new FeedClient(vertx, "http://localhost:1", "any", 5_000);
        FeedConsumer refused = new FeedConsumer(vertx, pool, refusing, "memberships", "test/refused", 10, 100, (tx, items) -> Uni.createFrom().voidItem());
        FeedConsumer late = new FeedConsumer(vertx, pool, down, "memberships", "test/down", 10, 100, (tx, items) -> Uni.createFrom().voidItem());
        refused.start();
        late.start();
        try {
            for (int i = 0; i < 100 && (refused.refusedFor().isZero() || late.lastError() == null); i++) {
                Thread.sleep(100);
            }
            assertTrue(refused.lastError().contains("HTTP 401"), refused.lastError());
            assertTrue(late.lastError() != null && late.refusedFor().isZero(), "a producer down is not a refusal: " + late.lastError());

            HealthCheckResponse response = FeedsReadiness.of("feeds", List.of(refused, late), Duration.ZERO);
            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            assertEquals(List.of("test/refused"), List.copyOf(response.getData().orElseThrow().keySet()));
            assertEquals(HealthCheckResponse.Status.UP, FeedsReadiness.of("feeds", List.of(late), Duration.ZERO).getStatus());
            assertEquals(HealthCheckResponse.Status.UP, FeedsReadiness.of("feeds", List.of(refused), Duration.ofHours(1)).getStatus(),
                    "within the grace period a refusal is not yet a reason to leave the load balancer");
        } finally {
            refused.stop();
            late.stop();
            refusing.close();
            down.close();
        }
    }
    @Test
    void aTokenFileReplacedBeforeItsTokenExpiresIsUsedWithoutARestart() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("service-token", ".jwt");
        java.nio.file.Files.writeString(file, "an-expired-token");
        FeedClient client = new FeedClient(vertx, "http://localhost:" + RestAssured.port,
                ServiceToken.of(java.util.Optional.empty(), java.util.Optional.of(file.toString())), 5_000);
        FeedConsumer consumer = new FeedConsumer(vertx, pool, client, "memberships", "test/rotated", 10, 100,
                (tx, items) -> Uni.createFrom().voidItem());
        consumer.start();
        try {
            for (int i = 0; i < 100 && consumer.refusedFor().isZero(); i++) {
                Thread.sleep(100);
            }
            assertTrue(!consumer.refusedFor().isZero(), "the bad token is refused");
            // The secret is rotated: a valid token for this feed replaces the file's content.
            java.nio.file.Path next = java.nio.file.Files.createTempFile(file.getParent(), "service-token", ".tmp");
            java.nio.file.Files.writeString(next, TestKeys.serviceToken("identity/memberships"));
            java.nio.file.Files.setLastModifiedTime(next, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            java.nio.file.Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (int i = 0; i < 100 && consumer.lastError() != null; i++) {
                Thread.sleep(100);
            }
            assertEquals(null, consumer.lastError(), "the new token is read and accepted");
            assertTrue(consumer.refusedFor().isZero());
        } finally {
            consumer.stop();
            client.close();
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
