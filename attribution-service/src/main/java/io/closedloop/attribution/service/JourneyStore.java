package io.closedloop.attribution.service;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.repository.JourneyRepository;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Each workspace's touches resolved to accounts, in memory (AccountTouches), for the data-driven models computed on demand
 * over ACCOUNT journeys (issue 20): a period's journeys are then ranges of it, not a read of every row they hold.
 * PostgreSQL stays the only store: a report reads the workspace's journey version (moved by every feed page and erasure
 * changing touches or memberships, in their transaction) and finds the copy of that version, or reads one with one COPY
 * (concurrent reports share it; reads run one at a time, each holds its rows while building). Kept under a byte bound
 * ({@code closedloop.reports.journeys-megabytes}), one version per workspace (a newer one lets the older go at once), and
 * for at most {@code closedloop.reports.journeys-ttl} after the read: an erased person's touches leave every replica's
 * memory by then even when no report asks again (DESIGN §6).
 */
@ApplicationScoped
public class JourneyStore {

    private record Key(String workspace, long version) {
    }

    private final JourneyRepository journeys;
    private final AsyncCache<Key, AccountTouches> kept;
    private final ReentrantLock reading = new ReentrantLock();

    public JourneyStore(JourneyRepository journeys,
                        @ConfigProperty(name = "closedloop.reports.journeys-megabytes", defaultValue = "128") long megabytes,
                        @ConfigProperty(name = "closedloop.reports.journeys-ttl", defaultValue = "10m") Duration ttl) {
        this.journeys = journeys;
        this.kept = Caffeine.newBuilder().maximumWeight(megabytes << 20)
                .weigher((Key key, AccountTouches touches) -> (int) Math.min(Integer.MAX_VALUE, touches.bytes()))
                .expireAfterWrite(ttl)
                // Evictions at once, on the caller's thread (as RollupIndex: the common pool lags on two cores).
                .executor(Runnable::run)
                .buildAsync();
    }

    /** The workspace's touches at its journey version now. */
    public Uni<AccountTouches> touches(String workspace) {
        // A copy: a report that goes away cancels its copy, never the read other reports share.
        return journeys.version(workspace).chain(version -> Uni.createFrom().completionStage(() -> kept.get(
                new Key(workspace, version), (key, executor) -> CompletableFuture.supplyAsync(() -> read(key),
                        Infrastructure.getDefaultWorkerPool())).copy()));
    }

    private AccountTouches read(Key key) {
        AccountTouches touches;
        reading.lock();
        try {
            long start = System.nanoTime();
            touches = journeys.accountTouches(key.workspace());
            Log.infof("journeys of workspace %s at version %d read: %d touches of %d accounts, %d MB, %.1f s", key.workspace(),
                    touches.version(), touches.touchCount(), touches.accountCount(), touches.bytes() >> 20,
                    (System.nanoTime() - start) / 1e9);
        } catch (SQLException e) {
            throw new CompletionException(e);
        } finally {
            reading.unlock();
        }
        // No report asks for an older version of this workspace again.
        kept.synchronous().asMap().keySet().removeIf(k -> k.workspace().equals(key.workspace()) && k.version() < key.version());
        return touches;
    }
}
