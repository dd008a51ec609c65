package io.closedloop.attribution.service;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.closedloop.attribution.OnDemandLimitException;
import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.journey.Opportunity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Each workspace's touches resolved to accounts (AccountTouches) and its opportunities, in memory, for the data-driven
 * models computed on demand over ACCOUNT journeys (issue 20): a period's journeys are then ranges of it and its deals a
 * filter, not a read of every row they hold. PostgreSQL stays the only store: a report reads the workspace's versions
 * (moved by every feed page and erasure changing touches or memberships, or opportunities, in their transaction) and
 * finds the copies of those versions, or reads them (the touches with one COPY; concurrent reports share a read; reads of
 * touches run one at a time, each holds its rows while building). Kept under a byte bound
 * ({@code closedloop.reports.journeys-megabytes}), one version per workspace and kind (a newer one lets the older go at
 * once), and for at most {@code closedloop.reports.journeys-ttl} after the read: an erased person's touches leave every
 * replica's memory by then even when no report asks again (DESIGN §6). A workspace asked within
 * {@code closedloop.reports.journeys-keep-warm} keeps its copy past that: before the ttl runs out the copy is brought up to
 * the versions now (only the changed accounts read, or whole after an erasure) and kept anew, so the next question after a
 * quiet spell does not read every touch again, and an erased person still leaves memory within the ttl.
 */
@ApplicationScoped
public class JourneyStore {

    /**
     * A workspace's touches and opportunities in memory, each at least as new as the versions a report read, and the ids of
     * its accounts' first won deals among them (Opportunity.firstWonIds: the new customers).
     */
    public record InMemory(AccountTouches touches, List<Opportunity> deals, Set<String> firstWon) {

        /** The opportunities converting in [from, to) on {@code basis} (JourneyRepository.createdIn, closedIn), by id. */
        public List<Opportunity> inScope(Basis basis, Instant from, Instant to) {
            return inScope(deals, basis, from, to);
        }

        /** Those of {@code deals} (by id) converting in [from, to) on {@code basis}, as JourneyRepository.createdIn, closedIn. */
        static List<Opportunity> inScope(List<Opportunity> deals, Basis basis, Instant from, Instant to) {
            List<Opportunity> out = new ArrayList<>();
            for (Opportunity o : deals) {
                Instant at = basis == Basis.PIPELINE ? o.createdAt()
                        : "WON".equals(o.status()) || "LOST".equals(o.status()) ? o.closedAt() : null;
                if (at != null && !at.isBefore(from) && at.isBefore(to)) {
                    out.add(o);
                }
            }
            return out;
        }
    }

    private record Key(String kind, String workspace, long version) {
    }

    /** A workspace whose touches are more than a report computed on demand may load: its reports read each period's rows. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String workspace) {
            super("the touches of workspace " + workspace + " are more than may be kept in memory", null, false, false);
        }
    }

    /** What a kept opportunity costs, about: the record, its strings, amount and times, and its entry among the first won. */
    private static final int DEAL_BYTES = 360;

    /** A workspace's opportunities as kept: with its first won deals, found once per version rather than per report. */
    private record Deals(List<Opportunity> all, Set<String> firstWon) {
    }

    private final JourneyRepository journeys;
    private final AsyncCache<Key, Object> kept;
    private final long maxBytes;
    private final ReentrantLock reading = new ReentrantLock();
    /** Each workspace's read of its touches under way, if any. */
    private final ConcurrentHashMap<String, CompletableFuture<AccountTouches>> reads = new ConcurrentHashMap<>();
    /** Reads of a workspace's touches: whole, or of the accounts changed since a copy kept (a refresh). */
    private final Counter wholeReads;
    private final Counter refreshes;
    /** Copies renewed before the ttl ran out (keep-warm), apart from the reads reports asked for. */
    private final Counter renewals;
    private final Vertx vertx;
    private final Duration ttl;
    /** The workspaces asked for their journeys within keep-warm: their copies are renewed. */
    private final Cache<String, Boolean> asked;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile long renewTimer = -1;
    /** Workspaces found too large, for as long as a copy would be kept. */
    private final Cache<String, Boolean> tooLarge;

    public JourneyStore(JourneyRepository journeys, MeterRegistry registry, Vertx vertx,
                        @ConfigProperty(name = "closedloop.reports.journeys-megabytes", defaultValue = "128") long megabytes,
                        @ConfigProperty(name = "closedloop.reports.journeys-ttl", defaultValue = "10m") Duration ttl,
                        @ConfigProperty(name = "closedloop.reports.journeys-keep-warm", defaultValue = "24h") Duration keepWarm) {
        this.journeys = journeys;
        this.vertx = vertx;
        this.ttl = ttl;
        this.wholeReads = registry.counter("closedloop.journeys.reads", "kind", "whole");
        this.refreshes = registry.counter("closedloop.journeys.reads", "kind", "refresh");
        this.renewals = registry.counter("closedloop.journeys.reads", "kind", "renew");
        this.asked = keepWarm.isZero() ? null : Caffeine.newBuilder().expireAfterWrite(keepWarm).maximumSize(10_000).build();
        this.kept = Caffeine.newBuilder().maximumWeight(megabytes << 20)
                .weigher((Key key, Object value) -> (int) Math.min(Integer.MAX_VALUE, value instanceof AccountTouches touches
                        ? touches.bytes() : (long) DEAL_BYTES * ((Deals) value).all().size()))
                .expireAfterWrite(ttl)
                // Expired copies leave on time even when no report asks again (an erased person's touches with them).
                .scheduler(Scheduler.systemScheduler())
                // Evictions at once, on the caller's thread (as RollupIndex: the common pool lags on two cores).
                .executor(Runnable::run)
                .buildAsync();
        this.maxBytes = megabytes << 20;
        this.tooLarge = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(10_000).build();
    }

    /** Whether the workspace's touches were found too large to keep (its reports then read each period's rows). */
    public boolean tooLarge(String workspace) {
        return tooLarge.getIfPresent(workspace) != null;
    }

    public void start(@Observes StartupEvent event) {
        if (asked != null) {
            // A copy is renewed at an age between half and three quarters of the ttl: before it runs out.
            renewTimer = vertx.setPeriodic(Math.max(1000, ttl.toMillis() / 4), id -> renewDue());
        }
    }

    public void stop(@Observes ShutdownEvent event) {
        if (renewTimer >= 0) {
            vertx.cancelTimer(renewTimer);
            renewTimer = -1;
        }
    }

    /** The workspace's touches and opportunities at its versions now (an older version of either is let go). */
    public Uni<InMemory> journeys(String workspace) {
        if (asked != null) {
            asked.put(workspace, true);
        }
        return journeys.versions(workspace).chain(versions -> touches(workspace, versions.touches())
                .chain(touches -> this.<Deals>get(new Key("deals", workspace, versions.deals()),
                                () -> journeys.deals(workspace).map(all -> new Deals(all, Opportunity.firstWonIds(all)))
                                        .subscribeAsCompletionStage())
                        .map(deals -> new InMemory(touches, deals.all(), deals.firstWon()))));
    }

    /**
     * The workspace's touches at {@code version} or newer: the copy kept, or the read under way, or the next one. At most
     * one read per workspace at a time: while pages keep moving the version, every report waiting joins the one read that
     * starts after the one under way, rather than each starting its own.
     */
    private Uni<AccountTouches> touches(String workspace, long version) {
        // The futures' map, never the synchronous view: nothing here may wait on a read (this runs on the event loop).
        for (Map.Entry<Key, CompletableFuture<Object>> e : kept.asMap().entrySet()) {
            Key k = e.getKey();
            Object value = e.getValue().isDone() && !e.getValue().isCompletedExceptionally() ? e.getValue().getNow(null) : null;
            if (value != null && k.kind().equals("touches") && k.workspace().equals(workspace) && k.version() >= version) {
                return Uni.createFrom().item((AccountTouches) value);
            }
        }
        CompletableFuture<AccountTouches> read = reads.compute(workspace, (w, current) -> current != null && !current.isDone()
                ? current : CompletableFuture.supplyAsync(() -> readTouches(w), Infrastructure.getDefaultWorkerPool()));
        // Done, it leaves (it would hold the copy past its eviction, an erased person's touches with it).
        read.whenComplete((touches, failure) -> reads.remove(workspace, read));
        // A copy: a report that goes away cancels its copy, never the read other reports share. A read that began before
        // this version was reached is followed by the next (versions only grow, so this ends).
        return Uni.createFrom().completionStage(read.copy())
                .chain(touches -> touches.version() >= version ? Uni.createFrom().item(touches) : touches(workspace, version));
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<T> get(Key key, Supplier<CompletableFuture<?>> read) {
        // A copy: a report that goes away cancels its copy, never the read other reports share (a failed read is not kept).
        return Uni.createFrom().completionStage(() -> kept.get(key, (k, executor) -> read.get().thenApply(v -> (Object) v)).copy())
                .invoke(() -> kept.asMap().keySet().removeIf(other -> other.kind().equals(key.kind())
                        && other.workspace().equals(key.workspace()) && other.version() < key.version()))
                .map(v -> (T) v);
    }

    /** Renews, one after the other, the touches copies of the workspaces asked recently that are half the ttl old. */
    private void renewDue() {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        List<String> due = new ArrayList<>();
        for (Map.Entry<Key, CompletableFuture<Object>> e : kept.asMap().entrySet()) {
            Key k = e.getKey();
            boolean old = kept.synchronous().policy().expireAfterWrite()
                    .flatMap(expiry -> expiry.ageOf(k)).map(age -> age.compareTo(ttl.dividedBy(2)) >= 0).orElse(false);
            if (k.kind().equals("touches") && old && asked.getIfPresent(k.workspace()) != null && !due.contains(k.workspace())) {
                due.add(k.workspace());
            }
        }
        Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::renew).collect().last()
                .subscribe().with(done -> renewing.set(false), failure -> {
                    renewing.set(false);
                    Log.warnf("renewing the journeys kept in memory failed: %s; retrying at the next tick", failure.getMessage());
                });
    }

    /**
     * Brings the workspace's touches copy up to its version now and keeps it anew (the read counted as a renewal), then keeps
     * its deals anew if they are the version now (read after the touches: an erasure committing meanwhile moves it); a copy
     * gone meanwhile, a workspace too large, or a read that fails or hangs is left to expire.
     */
    Uni<Void> renew(String workspace) {
        return Uni.createFrom().item(() -> readTouches(workspace, renewals))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(touches -> touches == null ? Uni.createFrom().voidItem() : journeys.versions(workspace).invoke(versions -> {
                    Key deals = new Key("deals", workspace, versions.deals());
                    CompletableFuture<Object> current = kept.getIfPresent(deals);
                    if (current != null) {
                        kept.put(deals, current); // the same version holds the same deals
                    }
                }).replaceWithVoid())
                .ifNoItem().after(ttl).fail()
                .onFailure().invoke(e -> Log.debugf("journeys of workspace %s not renewed: %s", workspace, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private AccountTouches readTouches(String workspace) {
        return readTouches(workspace, null);
    }

    /**
     * @param renewal the counter of a renewal (which reads nothing, null, when no copy is kept any more), or null: a read a
     *                report asked for (whole or refresh)
     */
    private AccountTouches readTouches(String workspace, Counter renewal) {
        reading.lock();
        try {
            long start = System.nanoTime();
            // The copy kept, if any, is brought up to date: only the accounts changed since it are read.
            AccountTouches older = null;
            for (Map.Entry<Key, CompletableFuture<Object>> e : kept.asMap().entrySet()) {
                CompletableFuture<Object> f = e.getValue();
                if (e.getKey().kind().equals("touches") && e.getKey().workspace().equals(workspace) && f.isDone()
                        && !f.isCompletedExceptionally()) {
                    older = (AccountTouches) f.getNow(null);
                }
            }
            if (renewal != null && older == null) {
                return null; // gone meanwhile: the next question reads it, as after the ttl
            }
            JourneyRepository.TouchesRead read = journeys.accountTouches(workspace, older);
            AccountTouches touches = read.touches();
            String how = read.accountsRead() < 0 ? "read whole"
                    : "brought up to date from version " + older.version() + " (" + read.accountsRead() + " accounts read)";
            (renewal != null ? renewal : read.accountsRead() < 0 ? wholeReads : refreshes).increment();
            // A renewal every few minutes per workspace kept warm: logged only when debugging.
            Log.logf(renewal != null ? Logger.Level.DEBUG : Logger.Level.INFO,
                    "journeys of workspace %s at version %d %s: %d touches of %d accounts, %d MB, %.1f s", workspace,
                    touches.version(), how, touches.touchCount(), touches.accountCount(), touches.bytes() >> 20,
                    (System.nanoTime() - start) / 1e9);
            if (touches.bytes() > maxBytes) {
                // Kept, it would be evicted at once (and the others with it): read again by every report.
                throw new OnDemandLimitException("its touches take " + (touches.bytes() >> 20) + " MB, more than"
                        + " closedloop.reports.journeys-megabytes");
            }
            Key key = new Key("touches", workspace, touches.version());
            // The older copy goes first: weighed beside it, a large workspace's new copy would be the one evicted.
            kept.asMap().keySet().removeIf(other -> other.kind().equals(key.kind())
                    && other.workspace().equals(workspace) && other.version() < key.version());
            kept.put(key, CompletableFuture.completedFuture(touches));
            return touches;
        } catch (OnDemandLimitException e) {
            tooLarge.put(workspace, true);
            Log.infof("the touches of workspace %s are more than may be kept in memory (%s): its data-driven reports read each"
                    + " period's rows", workspace, e.getMessage());
            throw new TooLarge(workspace);
        } catch (SQLException e) {
            throw new CompletionException(e);
        } finally {
            reading.unlock();
        }
    }
}
