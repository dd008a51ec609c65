package io.closedloop.plumbing.feed;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;

/**
 * A consumer service's feed metrics per stream and partition, on {@code /q/metrics}: {@code closedloop.feeds.lag}
 * (seconds behind the producer, {@link FeedConsumer#lag()}: what the prod overlay scales identity and attribution on),
 * {@code closedloop.feeds.applied} (items applied by this replica) and {@code closedloop.feeds.held} (1 while this
 * replica holds the partition's lease). Each is tagged with the service, the feed and the partition ("i/n"); a
 * partition held by another replica reads 0 here, so the maximum over the replicas is the partition's figure.
 */
public final class FeedMetrics {

    private FeedMetrics() {
    }

    public static void register(MeterRegistry registry, String service, List<FeedConsumer> consumers) {
        for (FeedConsumer consumer : consumers) {
            String partition = consumer.partition().toString();
            Gauge.builder("closedloop.feeds.lag", consumer, c -> c.lag().toMillis() / 1000.0).baseUnit("seconds")
                    .description("How long this consumer has been behind its producer (0 when caught up or not held here)")
                    .tags("service", service, "feed", consumer.feed(), "partition", partition).register(registry);
            FunctionCounter.builder("closedloop.feeds.applied", consumer, FeedConsumer::itemsApplied)
                    .description("Feed items applied by this replica since it started")
                    .tags("service", service, "feed", consumer.feed(), "partition", partition).register(registry);
            Gauge.builder("closedloop.feeds.held", consumer, c -> c.running() ? 1 : 0)
                    .description("1 while this replica holds the partition's lease")
                    .tags("service", service, "feed", consumer.feed(), "partition", partition).register(registry);
        }
    }
}
