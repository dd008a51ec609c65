package io.closedloop.identity.feed;

import io.closedloop.plumbing.feed.FeedReader;
import io.closedloop.plumbing.feed.KafkaRelay;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * Identity's stream {@code memberships} (docs/feeds.md), and with the Kafka transport its relay to its topic (plumbing
 * KafkaRelay); one replica at a time.
 */
@ApplicationScoped
public class FeedRelay {

    /** Partitioned by identifier: an identifier's successive memberships must be applied in order. */
    public static final FeedReader MEMBERSHIPS = new FeedReader("select xid, seq, workspace_id, kind, payload,"
            + " (payload -> 'identifier' ->> 'type') || ':' || (payload -> 'identifier' ->> 'value') as partition_key from memberships");

    private final Pool pool;
    private KafkaRelay relay;

    public FeedRelay(Pool pool) {
        this.pool = pool;
    }

    void start(@Observes StartupEvent event) {
        relay = KafkaRelay.startIfConfigured(pool, "identity", Map.of("memberships", MEMBERSHIPS)).orElse(null);
    }

    void stop(@Observes ShutdownEvent event) {
        if (relay != null) {
            relay.stop();
        }
    }
}
