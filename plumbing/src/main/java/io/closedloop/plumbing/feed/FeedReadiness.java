package io.closedloop.plumbing.feed;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.time.Duration;
import java.util.List;

/**
 * A consumer service's readiness from its feed consumers: DOWN while a producer has refused a consumer's token for
 * {@code grace} or longer (an expired or wrong service token must not stop the feeds silently), naming each such feed
 * and the refusal. A producer that is down only delays the copy: reports keep being served from what was copied, so
 * that is not a reason to take this service out of its load balancer.
 */
public final class FeedReadiness {

    private FeedReadiness() {
    }

    public static HealthCheckResponse of(String name, List<FeedConsumer> consumers, Duration grace) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(name).up();
        for (FeedConsumer consumer : consumers) {
            if (refused(consumer, grace)) {
                response.down().withData(consumer.positionKey(), "refused for " + consumer.refusedFor().toSeconds() + " s: "
                        + consumer.lastError());
            }
        }
        return response.build();
    }

    /** True when the producer has refused this consumer for {@code grace} or longer. */
    public static boolean refused(FeedConsumer consumer, Duration grace) {
        Duration refused = consumer.refusedFor();
        return !refused.isZero() && refused.compareTo(grace) >= 0;
    }
}
