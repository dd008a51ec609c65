package io.closedloop.attribution.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Takes the workspaces' scheduled monthly snapshots (Snapshots.takeDue) every {@code closedloop.snapshots.check-every}:
 * every replica checks, and the database takes each month's snapshot once (a unique index), so a replica stopped on the
 * first of the month leaves it to the others.
 */
@ApplicationScoped
public class MonthlySnapshots {

    private final Vertx vertx;
    private final Snapshots snapshots;
    private final Duration every;
    private final AtomicBoolean running = new AtomicBoolean();

    public MonthlySnapshots(Vertx vertx, Snapshots snapshots,
                            @ConfigProperty(name = "closedloop.snapshots.check-every", defaultValue = "1h") Duration every) {
        this.vertx = vertx;
        this.snapshots = snapshots;
        this.every = every;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(every.toMillis(), id -> check());
    }

    private void check() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        snapshots.takeDue(Instant.now()).subscribe().with(taken -> {
            running.set(false);
            if (taken > 0) {
                Log.infof("took %d scheduled monthly snapshot(s)", taken);
            }
        }, failure -> {
            running.set(false);
            Log.warnf("scheduled monthly snapshots not taken: %s; retrying at the next check", failure.getMessage());
        });
    }
}
