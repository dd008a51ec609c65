package io.closedloop.attribution.service;

import io.closedloop.attribution.repository.VersionRepository;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Logs a data version (a moment, V25) every {@code closedloop.versions.moment-every}, so that explainChangeSince can count a
 * change from the data as it was at a time. Every replica logs; the database keeps the first of each minute.
 */
@ApplicationScoped
public class DataMoments {

    private final Vertx vertx;
    private final VersionRepository versions;
    private final Duration every;

    public DataMoments(Vertx vertx, VersionRepository versions,
                       @ConfigProperty(name = "closedloop.versions.moment-every", defaultValue = "60s") Duration every) {
        this.vertx = vertx;
        this.versions = versions;
        this.every = every;
    }

    void start(@Observes StartupEvent event) {
        log();
        vertx.setPeriodic(every.toMillis(), id -> log());
    }

    private void log() {
        versions.logMoment().subscribe().with(done -> { },
                failure -> Log.warnf("data version not logged: %s; retrying at the next tick", failure.getMessage()));
    }
}
