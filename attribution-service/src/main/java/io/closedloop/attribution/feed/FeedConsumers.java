package io.closedloop.attribution.feed;

import io.closedloop.attribution.recompute.RecomputeService;
import io.closedloop.attribution.service.IncrementalRollups;
import io.closedloop.attribution.service.ErasureApplyService;
import io.closedloop.attribution.service.FeedApplyService;
import io.closedloop.attribution.service.ReportFeedApply;
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
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.unchecked.Unchecked;
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
 * Follows ingestion `touches`, `crm`, `revenue`, `spend` and `erasures` and identity `memberships` (docs/feeds.md). A producer
 * that is down only delays the copy: FeedConsumer logs and retries, and readiness stays UP; a producer that refuses
 * this service's token makes it not ready (plumbing FeedsReadiness).
 */
@ApplicationScoped
public class FeedConsumers implements FeedConsumerSet {

    private final Vertx vertx;
    private final Pool pool;
    private final FeedApplyService apply;
    private final IncrementalRollups rollups;
    private final ErasureApplyService erasures;
    private final ReportFeedApply reportFeeds;
    private final boolean enabled;
    private final String ingestionUrl;
    private final String identityUrl;
    private final ServiceToken serviceToken;
    private final int pageSize;
    private final long idleMillis;
    private final int partitions;
    private final Duration leaseTtl;
    /** How many pages this replica applies at once (each holds a connection; the others serve reports). */
    private final Semaphore transactions;
    private final List<FeedConsumer> consumers = new ArrayList<>();
    private final MeterRegistry registry;
    private FeedLeases leases;
    private final List<FeedClient> clients = new ArrayList<>();
    private final List<KafkaFeedSource> topics = new ArrayList<>();
    private final RecomputeService recomputes;
    private final AtomicBoolean finishingCatchUps = new AtomicBoolean();
    private final AtomicBoolean reportingErasures = new AtomicBoolean();
    private final AtomicBoolean helpingRecomputes = new AtomicBoolean();
    private long catchUpTimer = -1;

    public FeedConsumers(Vertx vertx, Pool pool, MeterRegistry registry, FeedApplyService apply, IncrementalRollups rollups,
                         ErasureApplyService erasures, ReportFeedApply reportFeeds, RecomputeService recomputes,
                         @ConfigProperty(name = "closedloop.feeds.enabled", defaultValue = "true") boolean enabled,
                         @ConfigProperty(name = "closedloop.ingestion.url") String ingestionUrl,
                         @ConfigProperty(name = "closedloop.identity.url") String identityUrl,
                         @ConfigProperty(name = "closedloop.service-token") Optional<String> serviceToken,
                         @ConfigProperty(name = "closedloop.service-token-file") Optional<String> serviceTokenFile,
                         @ConfigProperty(name = "closedloop.feeds.page-size", defaultValue = "1000") int pageSize,
                         @ConfigProperty(name = "closedloop.feeds.poll-interval-ms", defaultValue = "100") long idleMillis,
                         @ConfigProperty(name = "closedloop.feeds.partitions", defaultValue = "1") int partitions,
                         @ConfigProperty(name = "closedloop.feeds.lease-ttl", defaultValue = "6s") Duration leaseTtl,
                         @ConfigProperty(name = "closedloop.feeds.concurrency", defaultValue = "6") int concurrency) {
        this.vertx = vertx;
        this.pool = pool;
        this.registry = registry;
        this.apply = apply;
        this.rollups = rollups;
        this.erasures = erasures;
        this.reportFeeds = reportFeeds;
        this.recomputes = recomputes;
        this.enabled = enabled;
        this.ingestionUrl = ingestionUrl;
        this.identityUrl = identityUrl;
        this.serviceToken = ServiceToken.of(serviceToken, serviceTokenFile);
        this.pageSize = pageSize;
        this.idleMillis = idleMillis;
        this.partitions = partitions;
        this.leaseTtl = leaseTtl;
        this.transactions = new Semaphore(concurrency);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            Log.info("feed consumers disabled (closedloop.feeds.enabled=false)");
            return;
        }
        FeedClient ingestion = new FeedClient(vertx, ingestionUrl, serviceToken, 30_000);
        FeedClient identity = new FeedClient(vertx, identityUrl, serviceToken, 30_000);
        clients.add(ingestion);
        clients.add(identity);
        // With the Kafka transport the pages come from the producers' topics, their HTTP feeds serving what those cannot.
        FeedSource fromIngestion = ingestion;
        FeedSource fromIdentity = identity;
        FeedConsumer.PageHandler erasing = rollups.erasures(erasures::applyErasures, erasures);
        Optional<KafkaFeeds> kafka = KafkaFeeds.configured();
        if (kafka.isPresent()) {
            KafkaFeedSource ingestionTopics = new KafkaFeedSource(vertx, kafka.get(), "ingestion", "attribution-service", ingestion);
            KafkaFeedSource identityTopics = new KafkaFeedSource(vertx, kafka.get(), "identity", "attribution-service", identity);
            topics.add(ingestionTopics);
            topics.add(identityTopics);
            fromIngestion = ingestionTopics;
            fromIdentity = identityTopics;
            // An erasure waits until the topics carrying persons' identifiers were read past it (plumbing ErasureGate).
            erasing = new ErasureGate(List.of(new ErasureGate.Gated(ingestionTopics, "touches", "ingestion/touches"),
                    new ErasureGate.Gated(ingestionTopics, "crm", "ingestion/crm"),
                    new ErasureGate.Gated(identityTopics, "memberships", "identity/memberships")), partitions)
                    .around("ingestion/erasures", item -> true, erasing);
        }
        // Each partition is leased to one replica (FeedLeases); a handler per consumer, since IncrementalRollups counts
        // each consumer's full pages in a row. Each page updates the rollups of the accounts it changes in its own
        // transaction (IncrementalRollups); revenue and spend change no journey, so no rollup: plain upserts.
        for (int i = 0; i < partitions; i++) {
            FeedPartition p = new FeedPartition(i, partitions);
            consumers.add(new FeedConsumer(vertx, pool, fromIngestion, "touches", "ingestion/touches", p, pageSize, idleMillis,
                    rollups.touches(apply::applyTouches), transactions));
            consumers.add(new FeedConsumer(vertx, pool, fromIngestion, "crm", "ingestion/crm", p, pageSize, idleMillis,
                    rollups.crm(apply::applyCrm), transactions));
            consumers.add(new FeedConsumer(vertx, pool, fromIngestion, "revenue", "ingestion/revenue", p, pageSize, idleMillis,
                    reportFeeds::applyRevenue, transactions));
            consumers.add(new FeedConsumer(vertx, pool, fromIngestion, "spend", "ingestion/spend", p, pageSize, idleMillis,
                    reportFeeds::applySpend, transactions));
            consumers.add(new FeedConsumer(vertx, pool, fromIngestion, "erasures", "ingestion/erasures", p, pageSize, idleMillis,
                    erasing, transactions));
            consumers.add(new FeedConsumer(vertx, pool, fromIdentity, "memberships", "identity/memberships", p, pageSize, idleMillis,
                    rollups.memberships(apply::applyMemberships), transactions));
        }
        FeedMetrics.register(registry, "attribution-service", consumers);
        leases = new FeedLeases(vertx, pool, FeedLeases.REPLICA, leaseTtl, consumers);
        leases.start();
        catchUpTimer = vertx.setPeriodic(1000, id -> {
            finishCatchUps();
            helpRecomputes();
            postErasureReports(ingestion);
        });
        Log.infof("following ingestion feeds at %s and identity feeds at %s", ingestionUrl, identityUrl);
    }

    /**
     * Catch-up mode ends (IncrementalRollups) once every feed is caught up, every partition of it on whichever replica
     * holds it: one full recompute per marked workspace.
     */
    private void finishCatchUps() {
        if (consumers.stream().allMatch(FeedConsumer::caughtUp) && finishingCatchUps.compareAndSet(false, true)) {
            leases.allCaughtUp()
                    .chain(all -> all ? vertx.executeBlocking(Uni.createFrom().item(Unchecked.supplier(recomputes::finishCatchUps)))
                            : Uni.createFrom().item(List.<String>of()))
                    .subscribe().with(started -> finishingCatchUps.set(false), failure -> {
                        finishingCatchUps.set(false);
                        Log.warnf("catch-up recompute not started: %s; retrying", failure.getMessage());
                    });
        }
    }

    /** Claims the partitions of recomputes being built that are this replica's share (RecomputeService). */
    private void helpRecomputes() {
        if (helpingRecomputes.compareAndSet(false, true)) {
            vertx.executeBlocking(Uni.createFrom().item(Unchecked.supplier(() -> {
                        recomputes.helpRecomputes();
                        return true;
                    })))
                    .subscribe().with(done -> helpingRecomputes.set(false), failure -> {
                        helpingRecomputes.set(false);
                        Log.warnf("recompute partitions not claimed: %s; retrying", failure.getMessage());
                    });
        }
    }

    /** Posts each erasure's counts to ingestion's job (POST /erasures/{id}/attribution); a report taken, or of a job gone, is deleted. */
    private void postErasureReports(FeedClient ingestion) {
        if (!reportingErasures.compareAndSet(false, true)) {
            return;
        }
        erasures.reports(pool).chain(reports -> ingestion.postReports(reports, r -> "/erasures/" + r.erasureId() + "/attribution",
                r -> new JsonObject().put("workspace", r.workspace()).put("removed", r.removed()),
                r -> erasures.reported(pool, r.erasureId())))
                .subscribe().with(done -> reportingErasures.set(false), e -> {
            reportingErasures.set(false);
            Log.warnf("erasure reports not posted: %s; retrying", e.getClass().getSimpleName());
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (catchUpTimer >= 0) {
            vertx.cancelTimer(catchUpTimer);
        }
        if (leases != null) {
            leases.stop().await().atMost(Duration.ofSeconds(5));
        }
        clients.forEach(FeedClient::close);
        topics.forEach(KafkaFeedSource::close);
    }

    @Override
    public List<FeedConsumer> consumers() {
        return consumers;
    }
}
