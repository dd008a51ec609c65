package io.closedloop.identity.feed;

import io.closedloop.identity.service.IdentityGraphService;
import io.closedloop.plumbing.feed.FeedClient;
import io.closedloop.plumbing.feed.FeedConsumer;
import io.closedloop.plumbing.feed.FeedConsumerSet;
import io.closedloop.plumbing.feed.ServiceToken;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows ingestion's {@code identity-facts}, {@code crm} and {@code erasures} streams, each with its
 * own position in {@code feed_position}. The streams are independent, so their relative order
 * varies between runs; the graph converges anyway: a contact's account or an account's domains
 * arriving after the facts re-resolves the persons they touch, and an erasure arriving before a
 * fact that names the identifier is kept as a (hashed) tombstone that drops it from the fact.
 */
@ApplicationScoped
public class IngestionConsumers implements FeedConsumerSet {

    private final Vertx vertx;
    private final Pool pool;
    private final IdentityGraphService graph;
    private final boolean enabled;
    private final String ingestionUrl;
    private final ServiceToken serviceToken;
    private final int pageSize;
    private final List<FeedConsumer> consumers = new ArrayList<>();
    private FeedClient client;

    public IngestionConsumers(Vertx vertx, Pool pool, IdentityGraphService graph,
                              @ConfigProperty(name = "closedloop.feeds.enabled", defaultValue = "true") boolean enabled,
                              @ConfigProperty(name = "closedloop.ingestion.url") String ingestionUrl,
                              @ConfigProperty(name = "closedloop.service-token") Optional<String> serviceToken,
                              @ConfigProperty(name = "closedloop.service-token-file") Optional<String> serviceTokenFile,
                              @ConfigProperty(name = "closedloop.feeds.page-size", defaultValue = "1000") int pageSize) {
        this.vertx = vertx;
        this.pool = pool;
        this.graph = graph;
        this.enabled = enabled;
        this.ingestionUrl = ingestionUrl;
        this.serviceToken = ServiceToken.of(serviceToken, serviceTokenFile);
        this.pageSize = pageSize;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            Log.info("feed consumers disabled (closedloop.feeds.enabled=false)");
            return;
        }
        client = new FeedClient(vertx, ingestionUrl, serviceToken, 30_000);
        consumers.add(new FeedConsumer(vertx, pool, client, "identity-facts", "ingestion/identity-facts", pageSize, 1000, graph::applyFacts));
        consumers.add(new FeedConsumer(vertx, pool, client, "crm", "ingestion/crm", pageSize, 1000, graph::applyCrm));
        consumers.add(new FeedConsumer(vertx, pool, client, "erasures", "ingestion/erasures", pageSize, 1000, graph::applyErasures));
        consumers.forEach(FeedConsumer::start);
        Log.infof("following ingestion feeds at %s", ingestionUrl);
    }

    void stop(@Observes ShutdownEvent event) {
        consumers.forEach(FeedConsumer::stop);
        if (client != null) {
            client.close();
        }
    }

    @Override
    public List<FeedConsumer> consumers() {
        return consumers;
    }
}
