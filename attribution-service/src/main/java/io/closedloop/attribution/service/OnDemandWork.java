package io.closedloop.attribution.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.attribution.OnDemandLimitException;
import io.closedloop.plumbing.tenancy.RateLimiter;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a report computed on demand (Markov, Shapley, custom weights with a 0, CONTACT_ROLES, periods the rollups do not
 * answer): its load and computation hold one of the workspace's {@code closedloop.reports.on-demand-per-workspace}
 * permits, the computation runs on a worker thread (never the event loop), and the caller is answered within
 * {@code closedloop.reports.on-demand-deadline}. A report finding no permit waits for one (a dashboard or a model
 * comparison asks several at once), at most {@code closedloop.reports.on-demand-waiting} per workspace; one more is
 * refused at once. And a workspace has a share of this replica's time for them: the time its reports held a permit
 * (loading and computing, PostgreSQL's share included) is charged to it, {@code closedloop.reports.on-demand-share} seconds
 * per second sustained after bursts of {@code closedloop.reports.on-demand-burst}; while it is over, its next reports are
 * refused at once, saying when to retry. One workspace's heavy questions so neither block the event loop every workspace
 * shares, nor take all of the worker threads, nor keep the machine busy for the others.
 */
@ApplicationScoped
public class OnDemandWork {

    /** A workspace's permits and how many reports wait for one. */
    private record Lane(Semaphore running, AtomicInteger waiting) {
    }

    private final int perWorkspace;
    private final int maxWaiting;
    private final Duration deadline;
    private final double sharePerSecond;
    /** Seconds of on-demand work each workspace may still use: charged when a report finishes. */
    private final RateLimiter share;
    /** Each workspace's lane; a workspace idle for a while gets a fresh one (no permit is held that long). */
    private final Cache<String, Lane> lanes;

    public OnDemandWork(@ConfigProperty(name = "closedloop.reports.on-demand-per-workspace", defaultValue = "1") int perWorkspace,
                        @ConfigProperty(name = "closedloop.reports.on-demand-waiting", defaultValue = "8") int maxWaiting,
                        @ConfigProperty(name = "closedloop.reports.on-demand-deadline", defaultValue = "120s") Duration deadline,
                        @ConfigProperty(name = "closedloop.reports.on-demand-share", defaultValue = "0.25") double sharePerSecond,
                        @ConfigProperty(name = "closedloop.reports.on-demand-burst", defaultValue = "15s") Duration burst) {
        this.perWorkspace = perWorkspace;
        this.sharePerSecond = sharePerSecond;
        this.share = new RateLimiter(sharePerSecond, burst.toMillis() / 1000.0);
        this.maxWaiting = maxWaiting;
        this.deadline = deadline;
        this.lanes = Caffeine.newBuilder().expireAfterAccess(deadline.multipliedBy(10)).maximumSize(100_000)
                .executor(Runnable::run).build();
    }

    /**
     * Loads with {@code load} and computes with {@code compute} (on a worker thread) holding a permit of
     * {@code workspace}; OnDemandLimitException when too many of its reports wait already, the deadline passes, or (when
     * {@code charged}) the workspace is over its share, checked before waiting and again once a permit is held.
     *
     * @param charged whether the work counts against the workspace's share: what the user chose to compute on demand
     *                (data-driven models, other parameters, CONTACT_ROLES), not a standard question the rollups cannot
     *                answer yet (while they are rebuilt)
     */
    public <L, T> Uni<T> run(String workspace, boolean charged, Supplier<Uni<L>> load, Function<L, T> compute) {
        if (charged && overShare(workspace, System.nanoTime())) {
            return Uni.createFrom().failure(overShare(workspace));
        }
        Lane lane = lanes.get(workspace, w -> new Lane(new Semaphore(perWorkspace), new AtomicInteger()));
        // The permit is released exactly once: by whoever sees the other side done (the waiter acquiring after the
        // caller went away, or the termination of the work).
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean terminated = new AtomicBoolean();
        AtomicLong startedAt = new AtomicLong();
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
                    if (!lane.running().tryAcquire(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                        return false;
                    }
                    held.set(true);
                    if (terminated.get() && held.compareAndSet(true, false)) {
                        lane.running().release(); // the caller gave up while this waited
                        return false;
                    }
                    return true;
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
                    // Queued behind the workspace's own reports, this one may find the share spent meanwhile.
                    if (charged && overShare(workspace, System.nanoTime())) {
                        throw overShare(workspace);
                    }
                    startedAt.set(System.nanoTime());
                    return load.get();
                })
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(compute)
                .onTermination().invoke(() -> {
                    terminated.set(true);
                    if (held.compareAndSet(true, false)) {
                        long started = startedAt.get();
                        if (charged && started != 0) {
                            long now = System.nanoTime();
                            share.charge(workspace, (now - started) / 1e9, now);
                        }
                        lane.running().release();
                    }
                })
                .ifNoItem().after(deadline).failWith(() -> new OnDemandLimitException("the report took longer than "
                        + deadline.toSeconds() + " s to compute on demand; choose a shorter period or a model read from the rollups"));
    }

    /** Refuses at once (OnDemandLimitException, saying when to retry) while {@code workspace} is over its share. */
    public void requireShare(String workspace) {
        if (overShare(workspace, System.nanoTime())) {
            throw overShare(workspace);
        }
    }

    /** Charges work the workspace chose that ran outside a permit (a snapshot's reports) to its share. */
    public void charge(String workspace, long startedNanos) {
        long now = System.nanoTime();
        share.charge(workspace, (now - startedNanos) / 1e9, now);
    }

    private boolean overShare(String workspace, long now) {
        return share.debt(workspace, now) > 0;
    }

    private OnDemandLimitException overShare(String workspace) {
        long wait = Math.max(1, share.debt(workspace, System.nanoTime()));
        return new OnDemandLimitException("this workspace has used its share of on-demand computing (" + sharePerSecond
                + " s per second after a burst); retry in " + wait + " s, or ask a model read from the rollups");
    }
}
