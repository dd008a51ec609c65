package io.closedloop.identity.health;

import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.plumbing.feed.FeedClient;
import io.closedloop.plumbing.feed.FeedConsumer;
import io.closedloop.plumbing.feed.FeedReadiness;
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

            HealthCheckResponse response = FeedReadiness.of("feeds", List.of(refused, late), Duration.ZERO);
            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            assertEquals(List.of("test/refused"), List.copyOf(response.getData().orElseThrow().keySet()));
            assertEquals(HealthCheckResponse.Status.UP, FeedReadiness.of("feeds", List.of(late), Duration.ZERO).getStatus());
            assertEquals(HealthCheckResponse.Status.UP, FeedReadiness.of("feeds", List.of(refused), Duration.ofHours(1)).getStatus(),
                    "within the grace period a refusal is not yet a reason to leave the load balancer");
        } finally {
            refused.stop();
            late.stop();
            refusing.close();
            down.close();
        }
    }
}
