package io.closedloop.identity.health;

import io.closedloop.identity.feed.IngestionConsumers;
import io.closedloop.plumbing.feed.FeedReadiness;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/** Not ready while a feed of ingestion has refused this service's token for {@code closedloop.feeds.unready-after} (FeedReadiness). */
@Readiness
@ApplicationScoped
public class FeedsReadiness implements HealthCheck {

    private final IngestionConsumers consumers;
    private final Duration grace;

    public FeedsReadiness(IngestionConsumers consumers, MeterRegistry registry,
                          @ConfigProperty(name = "closedloop.feeds.unready-after", defaultValue = "30s") Duration grace) {
        this.consumers = consumers;
        this.grace = grace;
        // The same condition as a metric, for an alert: feeds whose producer refuses this service's token.
        Gauge.builder("closedloop.feeds.refused", consumers,
                        c -> c.consumers().stream().filter(consumer -> FeedReadiness.refused(consumer, grace)).count())
                .description("Feeds whose producer has refused this service's token for closedloop.feeds.unready-after")
                .register(registry);
    }

    @Override
    public HealthCheckResponse call() {
        return FeedReadiness.of("ingestion feeds", consumers.consumers(), grace);
    }
}
