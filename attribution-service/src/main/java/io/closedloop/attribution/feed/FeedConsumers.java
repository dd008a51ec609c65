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
import io.closedloop.plumbing.feed.FeedPartition;
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
    private final List<FeedConsumer> consumers = new ArrayList<>();
    private FeedLeases leases;
    private final List<FeedClient> clients = new ArrayList<>();
    private final RecomputeService recomputes;
    private final AtomicBoolean finishingCatchUps = new AtomicBoolean();
    private final AtomicBoolean reportingErasures = new AtomicBoolean();
    private long catchUpTimer = -1;

    public FeedConsumers(Vertx vertx, Pool pool, FeedApplyService apply, IncrementalRollups rollups,
                         ErasureApplyService erasures, ReportFeedApply reportFeeds, RecomputeService recomputes,
                         @ConfigProperty(name = "closedloop.feeds.enabled", defaultValue = "true") boolean enabled,
                         @ConfigProperty(name = "closedloop.ingestion.url") String ingestionUrl,
                         @ConfigProperty(name = "closedloop.identity.url") String identityUrl,
                         @ConfigProperty(name = "closedloop.service-token") Optional<String> serviceToken,
                         @ConfigProperty(name = "closedloop.service-token-file") Optional<String> serviceTokenFile,
                         @ConfigProperty(name = "closedloop.feeds.page-size", defaultValue = "1000") int pageSize,
                         @ConfigProperty(name = "closedloop.feeds.poll-interval-ms", defaultValue = "100") long idleMillis,
                         @ConfigProperty(name = "closedloop.feeds.partitions", defaultValue = "1") int partitions,
                         @ConfigProperty(name = "closedloop.feeds.lease-ttl", defaultValue = "6s") Duration leaseTtl) {
        this.vertx = vertx;
        this.pool = pool;
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
        // Each partition is leased to one replica (FeedLeases); a handler per consumer, since IncrementalRollups counts
        // each consumer's full pages in a row. Each page updates the rollups of the accounts it changes in its own
        // transaction (IncrementalRollups); revenue and spend change no journey, so no rollup: plain upserts.
        for (int i = 0; i < partitions; i++) {
            FeedPartition p = new FeedPartition(i, partitions);
            consumers.add(new FeedConsumer(vertx, pool, ingestion, "touches", "ingestion/touches", p, pageSize, idleMillis,
                    rollups.touches(apply::applyTouches)));
            consumers.add(new FeedConsumer(vertx, pool, ingestion, "crm", "ingestion/crm", p, pageSize, idleMillis,
                    rollups.crm(apply::applyCrm)));
            consumers.add(new FeedConsumer(vertx, pool, ingestion, "revenue", "ingestion/revenue", p, pageSize, idleMillis,
                    reportFeeds::applyRevenue));
            consumers.add(new FeedConsumer(vertx, pool, ingestion, "spend", "ingestion/spend", p, pageSize, idleMillis,
                    reportFeeds::applySpend));
            consumers.add(new FeedConsumer(vertx, pool, ingestion, "erasures", "ingestion/erasures", p, pageSize, idleMillis,
                    rollups.erasures(erasures::applyErasures, erasures)));
            consumers.add(new FeedConsumer(vertx, pool, identity, "memberships", "identity/memberships", p, pageSize, idleMillis,
                    rollups.memberships(apply::applyMemberships)));
        }
        leases = new FeedLeases(vertx, pool, FeedLeases.replicaName(), leaseTtl, consumers);
        leases.start();
        catchUpTimer = vertx.setPeriodic(1000, id -> {
            finishCatchUps();
            postErasureReports(ingestion);
        });
        Log.infof("following ingestion feeds at %s and identity feeds at %s", ingestionUrl, identityUrl);
    }

    /** Catch-up mode ends (IncrementalRollups) once every feed is caught up: one full recompute per marked workspace. */
    private void finishCatchUps() {
        if (consumers.stream().allMatch(FeedConsumer::caughtUp) && finishingCatchUps.compareAndSet(false, true)) {
            vertx.executeBlocking(Uni.createFrom().item(Unchecked.supplier(recomputes::finishCatchUps)))
                    .subscribe().with(started -> finishingCatchUps.set(false), failure -> {
                        finishingCatchUps.set(false);
                        Log.warnf("catch-up recompute not started: %s; retrying", failure.getMessage());
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
    }

    @Override
    public List<FeedConsumer> consumers() {
        return consumers;
    }
}
