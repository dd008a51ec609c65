package io.closedloop.plumbing.feed;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A consumer service's readiness from its feed consumers: DOWN while a producer has refused a consumer's token for
 * {@code closedloop.feeds.unready-after} or longer (an expired or wrong service token must not stop the feeds
 * silently), naming each such feed and the refusal; the gauge {@code closedloop.feeds.refused} counts them for an
 * alert. A producer that is down only delays the copy: reports keep being served from what was copied, so that is no
 * reason to take the service out of its load balancer. A service without feed consumers is always UP here.
 */
@Readiness
@ApplicationScoped
public class FeedsReadiness implements HealthCheck {

    private final Instance<FeedConsumerSet> sets;
    private final Duration grace;

    public FeedsReadiness(Instance<FeedConsumerSet> sets, MeterRegistry registry,
                          @ConfigProperty(name = "closedloop.feeds.unready-after", defaultValue = "30s") Duration grace) {
        this.sets = sets;
        this.grace = grace;
        Gauge.builder("closedloop.feeds.refused", this, r -> r.consumers().stream().filter(c -> refused(c, grace)).count())
                .description("Feeds whose producer has refused this service's token for closedloop.feeds.unready-after")
                .register(registry);
    }

    @Override
    public HealthCheckResponse call() {
        return of("feeds", consumers(), grace);
    }

    private List<FeedConsumer> consumers() {
        List<FeedConsumer> all = new ArrayList<>();
        sets.forEach(set -> all.addAll(set.consumers()));
        return all;
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
