package io.closedloop.ingestion.feed;

import io.closedloop.plumbing.feed.KafkaRelay;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** With the Kafka transport, relays ingestion's streams to their topics (plumbing KafkaRelay); one replica at a time. */
@ApplicationScoped
public class FeedRelay {

    private final Pool pool;
    private KafkaRelay relay;

    public FeedRelay(Pool pool) {
        this.pool = pool;
    }

    void start(@Observes StartupEvent event) {
        relay = KafkaRelay.startIfConfigured(pool, "ingestion", FeedStreams.readers()).orElse(null);
    }

    void stop(@Observes ShutdownEvent event) {
        if (relay != null) {
            relay.stop();
        }
    }
}
