package io.closedloop.attribution.service;

import io.closedloop.attribution.repository.VersionRepository;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The upkeep of versioned inputs (V24, V25): every {@code closedloop.versions.moment-every} logs a data version (a moment),
 * so that explainChangeSince can count a change from the data as it was at a time, and forgets what is older than
 * {@code closedloop.versions.keep} (replaced versions and logged moments, in batches). Every replica does both; the
 * database keeps one moment per instant, and replicas skip the versions another is deleting.
 */
@ApplicationScoped
public class DataVersions {

    /** Replaced versions deleted per statement: a short one, however far behind the upkeep is. */
    private static final int FORGOTTEN_PER_STATEMENT = 10_000;
    /** Statements per tick at most (100,000 versions a minute per replica). */
    private static final int STATEMENTS_PER_TICK = 10;

    private final Vertx vertx;
    private final VersionRepository versions;
    private final Duration every;
    private final Duration keep;
    private final AtomicBoolean running = new AtomicBoolean();

    public DataVersions(Vertx vertx, VersionRepository versions,
                        @ConfigProperty(name = "closedloop.versions.moment-every", defaultValue = "60s") Duration every,
                        @ConfigProperty(name = "closedloop.versions.keep", defaultValue = "400d") Duration keep) {
        this.vertx = vertx;
        this.versions = versions;
        this.every = every;
        this.keep = keep;
    }

    /** The oldest moment whose versions are all kept: a snapshot or a time before it cannot be explained. */
    public Instant keptSince() {
        return Instant.now().minus(keep);
    }

    void start(@Observes StartupEvent event) {
        // The first tick after one period, not at the start: nothing runs beside a start (its statements, a test's counts).
        vertx.setPeriodic(every.toMillis(), id -> tick());
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        // A day more than kept: a version's replaced_at is its replacer's start, which may commit later.
        versions.logMoment().chain(() -> forget(keptSince().minus(Duration.ofDays(1)), STATEMENTS_PER_TICK))
                .subscribe().with(forgotten -> running.set(false), failure -> {
                    running.set(false);
                    Log.warnf("data versions' upkeep failed: %s; retrying at the next tick", failure.getMessage());
                });
    }

    /** Deletes versions replaced before {@code before}, a batch at a time while batches come full, at most {@code rounds}. */
    private Uni<Void> forget(Instant before, int rounds) {
        return versions.forget(before, FORGOTTEN_PER_STATEMENT).chain(deleted -> deleted == FORGOTTEN_PER_STATEMENT && rounds > 1
                ? forget(before, rounds - 1) : Uni.createFrom().voidItem());
    }
}
