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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a report computed on demand (Markov, Shapley, custom weights with a 0, CONTACT_ROLES, periods the rollups do not
 * answer): its load and computation hold one of the workspace's {@code closedloop.reports.on-demand-per-workspace}
 * permits, the computation runs on a worker thread (never the event loop), and the caller is answered within
 * {@code closedloop.reports.on-demand-deadline}. A report finding no permit waits for one (a dashboard or a model
 * comparison asks several at once), at most {@code closedloop.reports.on-demand-waiting} per workspace; one more is
 * refused at once. One workspace's heavy questions so neither block the event loop every workspace shares nor take
 * all of the worker threads.
 */
@ApplicationScoped
public class OnDemandWork {

    /** A workspace's permits and how many reports wait for one. */
    private record Lane(Semaphore running, AtomicInteger waiting) {
    }

    private final int perWorkspace;
    private final int maxWaiting;
    private final Duration deadline;
    /** Each workspace's lane; a workspace idle for a while gets a fresh one (no permit is held that long). */
    private final Cache<String, Lane> lanes;

    public OnDemandWork(@ConfigProperty(name = "closedloop.reports.on-demand-per-workspace", defaultValue = "2") int perWorkspace,
                        @ConfigProperty(name = "closedloop.reports.on-demand-waiting", defaultValue = "8") int maxWaiting,
                        @ConfigProperty(name = "closedloop.reports.on-demand-deadline", defaultValue = "120s") Duration deadline) {
        this.perWorkspace = perWorkspace;
        this.maxWaiting = maxWaiting;
        this.deadline = deadline;
        this.lanes = Caffeine.newBuilder().expireAfterAccess(deadline.multipliedBy(10)).maximumSize(100_000)
                .executor(Runnable::run).build();
    }

    /**
     * Loads with {@code load} and computes with {@code compute} (on a worker thread) holding a permit of
     * {@code workspace}; OnDemandLimitException when too many of its reports wait already or the deadline passes.
     */
    public <L, T> Uni<T> run(String workspace, Supplier<Uni<L>> load, Function<L, T> compute) {
        Lane lane = lanes.get(workspace, w -> new Lane(new Semaphore(perWorkspace), new AtomicInteger()));
        AtomicBoolean held = new AtomicBoolean();
        Uni<Boolean> permit;
        if (lane.running().tryAcquire()) {
            held.set(true);
            permit = Uni.createFrom().item(true);
        } else if (lane.waiting().incrementAndGet() > maxWaiting) {
            lane.waiting().decrementAndGet();
            return Uni.createFrom().failure(new OnDemandLimitException("this workspace already has " + perWorkspace
                    + " reports computing on demand and " + maxWaiting + " waiting (the limits); retry when one has finished"));
        } else {
            // Waits on a worker thread, bounded per workspace, never on the event loop.
            permit = Uni.createFrom().item(() -> {
                try {
                    held.set(lane.running().tryAcquire(deadline.toMillis(), TimeUnit.MILLISECONDS));
                    return held.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    lane.waiting().decrementAndGet();
                }
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        }
        return permit.chain(acquired -> {
                    if (!acquired) {
                        throw new OnDemandLimitException("no on-demand slot of this workspace came free within "
                                + deadline.toSeconds() + " s; retry later");
                    }
                    return load.get();
                })
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(compute)
                .onTermination().invoke(() -> {
                    if (held.compareAndSet(true, false)) {
                        lane.running().release();
                    }
                })
                .ifNoItem().after(deadline).failWith(() -> new OnDemandLimitException("the report took longer than "
                        + deadline.toSeconds() + " s to compute on demand; choose a shorter period or a model read from the rollups"));
    }
}
