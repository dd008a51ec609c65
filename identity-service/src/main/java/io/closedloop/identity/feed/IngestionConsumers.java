package io.closedloop.identity.feed;

import io.closedloop.identity.repository.GraphRepository;
import io.closedloop.identity.service.IdentityGraphService;
import io.closedloop.plumbing.feed.FeedClient;
import io.closedloop.plumbing.feed.FeedConsumer;
import io.closedloop.plumbing.feed.FeedConsumerSet;
import io.closedloop.plumbing.feed.FeedLeases;
import io.closedloop.plumbing.feed.FeedMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.closedloop.plumbing.feed.ErasureGate;
import io.closedloop.plumbing.feed.FeedPartition;
import io.closedloop.plumbing.feed.FeedSource;
import io.closedloop.plumbing.feed.KafkaFeedSource;
import io.closedloop.plumbing.feed.KafkaFeeds;
import io.closedloop.plumbing.feed.ServiceToken;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Follows ingestion's {@code identity-facts} and {@code crm} streams, each with its own position in
 * {@code feed_position}. The streams are independent, so their relative order varies between runs; the
 * graph converges anyway: a contact's account or an account's domains arriving after the facts
 * re-resolves the persons they touch. Erasure requests come on identity-facts, in order with the facts;
 * identity's report of each goes back to ingestion (POST /erasures/{id}/identity).
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
    private final int partitions;
    private final Duration leaseTtl;
    /** How many pages this replica applies at once (each holds a connection). */
    private final Semaphore transactions;
    private final List<FeedConsumer> consumers = new ArrayList<>();
    private final MeterRegistry registry;
    private FeedLeases leases;
    private final GraphRepository repository;
    private final AtomicBoolean reporting = new AtomicBoolean();
    private FeedClient client;
    private KafkaFeedSource kafka;
    private long reportTimer = -1;

    public IngestionConsumers(Vertx vertx, Pool pool, MeterRegistry registry, IdentityGraphService graph, GraphRepository repository,
                              @ConfigProperty(name = "closedloop.feeds.enabled", defaultValue = "true") boolean enabled,
                              @ConfigProperty(name = "closedloop.ingestion.url") String ingestionUrl,
                              @ConfigProperty(name = "closedloop.service-token") Optional<String> serviceToken,
                              @ConfigProperty(name = "closedloop.service-token-file") Optional<String> serviceTokenFile,
                              @ConfigProperty(name = "closedloop.feeds.page-size", defaultValue = "1000") int pageSize,
                              @ConfigProperty(name = "closedloop.feeds.partitions", defaultValue = "1") int partitions,
                              @ConfigProperty(name = "closedloop.feeds.lease-ttl", defaultValue = "6s") Duration leaseTtl,
                              @ConfigProperty(name = "closedloop.feeds.concurrency", defaultValue = "6") int concurrency) {
        this.vertx = vertx;
        this.pool = pool;
        this.registry = registry;
        this.graph = graph;
        this.repository = repository;
        this.enabled = enabled;
        this.ingestionUrl = ingestionUrl;
        this.serviceToken = ServiceToken.of(serviceToken, serviceTokenFile);
        this.pageSize = pageSize;
        this.partitions = partitions;
        this.leaseTtl = leaseTtl;
        this.transactions = new Semaphore(concurrency);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            Log.info("feed consumers disabled (closedloop.feeds.enabled=false)");
            return;
        }
        client = new FeedClient(vertx, ingestionUrl, serviceToken, 30_000);
        // With the Kafka transport the pages come from ingestion's topics, the HTTP feed serving what they cannot.
        kafka = KafkaFeeds.configured().map(k -> new KafkaFeedSource(vertx, k, "ingestion", "identity-service", client)).orElse(null);
        FeedSource source = kafka != null ? kafka : client;
        FeedConsumer.PageHandler facts = graph::applyFacts;
        if (kafka != null) {
            // An erasure (an identity-facts item) waits until crm's topic, whose contacts carry emails and phones, was read
            // past it (plumbing ErasureGate); the facts before it come in order on its own partition.
            facts = new ErasureGate(List.of(new ErasureGate.Gated(kafka, "crm", "ingestion/crm")), partitions)
                    .around("ingestion/identity-facts", item -> item.kind().equals("erasure"), facts);
        }
        // Each partition is leased to one replica (FeedLeases); identity-facts are partitioned by workspace only
        // (docs/feeds.md), so one workspace's facts are resolved by one replica at a time.
        for (int i = 0; i < partitions; i++) {
            FeedPartition partition = new FeedPartition(i, partitions);
            consumers.add(new FeedConsumer(vertx, pool, source, "identity-facts", "ingestion/identity-facts", partition, pageSize, 1000,
                    facts, transactions));
            consumers.add(new FeedConsumer(vertx, pool, source, "crm", "ingestion/crm", partition, pageSize, 1000, graph::applyCrm,
                    transactions));
        }
        FeedMetrics.register(registry, "identity-service", consumers);
        leases = new FeedLeases(vertx, pool, FeedLeases.REPLICA, leaseTtl, consumers);
        leases.start();
        reportTimer = vertx.setPeriodic(1000, id -> postErasureReports());
        Log.infof("following ingestion feeds at %s", ingestionUrl);
    }

    /**
     * Posts each erasure's report (the person's identifiers and what identity removed) to ingestion, which deletes what
     * names them; a report ingestion took, or whose job it no longer has, is deleted: identity keeps no value after.
     */
    private void postErasureReports() {
        if (!reporting.compareAndSet(false, true)) {
            return;
        }
        repository.erasureReports(pool).chain(reports -> client.postReports(reports, r -> "/erasures/" + r.erasureId() + "/identity",
                r -> new JsonObject().put("workspace", r.workspace()).put("identifiers", new JsonArray(r.identifiers()))
                        .put("removed", new JsonObject(r.removed())),
                r -> repository.deleteErasureReport(pool, r.erasureId())))
                .subscribe().with(done -> reporting.set(false), e -> {
            reporting.set(false);
            Log.warnf("erasure reports not posted: %s; retrying", e.getClass().getSimpleName());
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (reportTimer >= 0) {
            vertx.cancelTimer(reportTimer);
        }
        if (leases != null) {
            leases.stop().await().atMost(Duration.ofSeconds(5));
        }
        if (client != null) {
            client.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    public List<FeedConsumer> consumers() {
        return consumers;
    }
}
