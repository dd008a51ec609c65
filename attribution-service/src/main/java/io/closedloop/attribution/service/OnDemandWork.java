package io.closedloop.attribution.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.attribution.OnDemandLimitException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Runs a report computed on demand (Markov, Shapley, custom weights with a 0, CONTACT_ROLES, …) off the event loop,
 * at most {@code closedloop.reports.on-demand-per-workspace} at once per workspace, and answers within
 * {@code closedloop.reports.on-demand-deadline}: one workspace's heavy questions neither block the event loop that
 * serves every workspace nor take all of the worker threads.
 */
@ApplicationScoped
public class OnDemandWork {

    private final int perWorkspace;
    private final Duration deadline;
    /** Each workspace's permits; a workspace idle for a while gets fresh ones (none can be held that long). */
    private final Cache<String, Semaphore> permits;

    public OnDemandWork(@ConfigProperty(name = "closedloop.reports.on-demand-per-workspace", defaultValue = "2") int perWorkspace,
                        @ConfigProperty(name = "closedloop.reports.on-demand-deadline", defaultValue = "120s") Duration deadline) {
        this.perWorkspace = perWorkspace;
        this.deadline = deadline;
        this.permits = Caffeine.newBuilder().expireAfterAccess(deadline.multipliedBy(10)).maximumSize(100_000)
                .executor(Runnable::run).build();
    }

    /** {@code work} on a worker thread; OnDemandLimitException when the workspace is at its limit or the deadline passes. */
    public <T> Uni<T> run(String workspace, Supplier<T> work) {
        Semaphore semaphore = permits.get(workspace, w -> new Semaphore(perWorkspace));
        if (!semaphore.tryAcquire()) {
            return Uni.createFrom().failure(new OnDemandLimitException("this workspace already has " + perWorkspace
                    + " reports computing on demand (the limit); retry when one has finished"));
        }
        // Released when the work ends, not when the caller stops waiting: the limit counts computations running.
        return Uni.createFrom().item(() -> {
                    try {
                        return work.get();
                    } finally {
                        semaphore.release();
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .ifNoItem().after(deadline).failWith(() -> new OnDemandLimitException("the report took longer than "
                        + deadline.toSeconds() + " s to compute on demand; choose a shorter period or a model read from the rollups"));
    }
}
