package io.closedloop.attribution.service;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.repository.ReportRepository;
import io.closedloop.attribution.repository.RollupRepository;
import io.closedloop.attribution.rollup.DaySums;
import io.closedloop.attribution.rollup.KeyNumbers;
import io.closedloop.attribution.rollup.RollupColumns;
import io.closedloop.attribution.rollup.RollupState;
import io.closedloop.attribution.rollup.SpendSums;
import io.closedloop.attribution.rollup.WonDealDays;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The rollups in the form reports read them (issue 20): running sums over days per key (DaySums), so any period is two
 * lookups per key, and the won deals by close day (WonDealDays) for the medians. Built from PostgreSQL, which stays the
 * only store (every replica builds its own), and held in memory under a byte bound
 * ({@code closedloop.reports.index-megabytes}; Caffeine, least valuable out first):
 * <ul>
 * <li>a full recompute's parts are fixed for the life of their generation: kept per generation, never rebuilt for a
 * feed page;</li>
 * <li>the incremental deltas since (part −1), the won deals and the spend change with every page: kept per data version
 * (RollupState.version), so a report never reads a structure older than the data it was asked at.</li>
 * </ul>
 * Concurrent questions needing the same structure share one build.
 */
@ApplicationScoped
public class RollupIndex {

    /** What a structure is of; {@code version} null for a recompute's parts (the generation says it all). */
    private record Key(String kind, String workspace, int generation, String version, String basis, String dimension,
                       String columns) {
    }

    private final Pool pool;
    private final RollupRepository rollups;
    private final ReportRepository reports;
    private final MeterRegistry registry;
    /** Which keys a numbering is of. */
    private record Numbering(String workspace, int generation, String dimension) {
    }

    private final AsyncCache<Key, Object> built;
    // Weak: a numbering lives as long as some kept structure names its keys by it.
    private final Cache<Numbering, KeyNumbers> numbers = Caffeine.newBuilder().weakValues().build();
    private final AtomicReference<CompletableFuture<Void>> turn = new AtomicReference<>(CompletableFuture.completedFuture(null));

    public RollupIndex(Pool pool, RollupRepository rollups, ReportRepository reports, MeterRegistry registry,
                       @ConfigProperty(name = "closedloop.reports.index-megabytes", defaultValue = "192") long megabytes) {
        this.pool = pool;
        this.rollups = rollups;
        this.reports = reports;
        this.registry = registry;
        this.built = Caffeine.newBuilder().maximumWeight(megabytes << 20)
                .weigher((Key key, Object value) -> (int) Math.min(Integer.MAX_VALUE, bytes(value)))
                // A generation or version no report asks for any more is not asked again: let it go before the bound does.
                .expireAfterAccess(Duration.ofMinutes(10))
                // Evictions at once, on the caller's thread: on two cores the common pool that would run them lags behind
                // the builds, and the bound with it.
                .executor(Runnable::run)
                .buildAsync();
        // What the bound holds, and how often structures are built (a bound too small for the questions asked rebuilds).
        registry.gauge("closedloop.reports.index.bytes", built, cache -> cache.synchronous().policy().eviction()
                .map(e -> e.weightedSize().orElse(0)).orElse(0L));
    }

    /**
     * Sums of {@code columns} by key of one basis and dimension over days [from, to) (epoch days): the recompute's parts
     * plus the deltas.
     */
    public Uni<Map<String, double[]>> sums(RollupState state, String basis, String dimension, RollupColumns columns, int from,
                                           int to) {
        return period(state, basis, dimension, columns).map(period -> {
            Map<String, double[]> out = new HashMap<>(2 * (period.parts().keys() + period.deltas().keys()));
            period.parts().forEach(from, to, out::put);
            period.deltas().forEach(from, to, (key, sums) -> out.merge(key, sums, (a, b) -> {
                for (int c = 0; c < a.length; c++) {
                    a[c] += b[c];
                }
                return a;
            }));
            return out;
        });
    }

    /** One basis and dimension of the rollups as running sums: the recompute's parts and the deltas since. */
    public record Period(DaySums parts, DaySums deltas) {

        /** Adds each key's sums of days [from, to) to {@code out[number * width ..]} (see DaySums.addTo). */
        public void addTo(int from, int to, double[] out) {
            parts.addTo(from, to, out);
            deltas.addTo(from, to, out);
        }

        /** Adds the sums of days [from, to) of the key numbered {@code number} to {@code out[at ..]}. */
        public void addTo(int number, int from, int to, double[] out, int at) {
            parts.addTo(number, from, to, out, at);
            deltas.addTo(number, from, to, out, at);
        }
    }

    /** The running sums of {@code columns} of one basis and dimension, their keys numbered by {@link #numbers}. */
    public Uni<Period> period(RollupState state, String basis, String dimension, RollupColumns columns) {
        KeyNumbers keys = numbers(state, dimension);
        Uni<DaySums> parts = get(new Key("parts", state.workspace(), state.generation(), null, basis, dimension,
                columns.indexName()), () -> rollups.daySums(pool, state.workspace(), state.generation(), basis, dimension, columns,
                false, keys));
        Uni<DaySums> deltas = get(new Key("deltas", state.workspace(), state.generation(), state.version(), basis, dimension,
                columns.indexName()), () -> rollups.daySums(pool, state.workspace(), state.generation(), basis, dimension, columns,
                true, keys));
        return parts.chain(p -> deltas.map(d -> new Period(p, d)));
    }

    /**
     * The keys of a dimension numbered for one generation: every structure of it names its keys by these numbers, for as
     * long as any of them is kept (then the numbers go with them, and structures built later number afresh).
     */
    public KeyNumbers numbers(RollupState state, String dimension) {
        return numbers.get(new Numbering(state.workspace(), state.generation(), dimension), k -> new KeyNumbers());
    }

    public Uni<WonDealDays> wonDealDays(RollupState state, Dimension dimension) {
        KeyNumbers keys = numbers(state, dimension.name());
        return get(new Key("deals", state.workspace(), state.generation(), state.version(), null, dimension.name(), null),
                () -> rollups.wonDealDays(pool, state.workspace(), state.generation(), dimension.name(), keys));
    }

    /** The spend as of the data version, by each spend column's values (numbered as their dimensions' keys) and in total. */
    public Uni<SpendSums> spend(RollupState state) {
        Map<String, KeyNumbers> keys = new HashMap<>();
        for (Dimension dimension : Dimension.values()) {
            if (dimension.spendColumn() != null) {
                keys.put(dimension.spendColumn(), numbers(state, dimension.name()));
            }
        }
        return get(new Key("spend", state.workspace(), state.generation(), state.version(), null, null, null),
                () -> reports.spendSums(state.workspace(), Dimension.NO_VALUE, keys));
    }

    /** The workspace's reporting currency (null before any amount), as of the data version. */
    public Uni<String> currency(RollupState state) {
        return get(new Key("currency", state.workspace(), state.generation(), state.version(), null, null, null),
                () -> reports.currency(state.workspace()).map(c -> c == null ? "" : c)).map(c -> c.isEmpty() ? null : c);
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<T> get(Key key, Supplier<Uni<T>> build) {
        // A copy: a request that goes away cancels its copy, never the build other requests share.
        return Uni.createFrom().completionStage(() -> built.get(key, (k, executor) -> inTurn(build).map(v -> (Object) v)
                .invoke(() -> registry.counter("closedloop.reports.index.builds", "kind", k.kind()).increment())
                .subscribeAsCompletionStage()).copy()).map(v -> (T) v);
    }

    /**
     * Runs builds one at a time: a build holds its rows and its running sums at once (a generation's content values under
     * custom weights: about 300 MB), so twenty at once would need gigabytes; the bound on what is kept says nothing about
     * what is being built.
     */
    private <T> Uni<T> inTurn(Supplier<Uni<T>> build) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> before = turn.getAndSet(mine);
        return Uni.createFrom().completionStage(before.copy()).chain(build::get)
                .onTermination().invoke(() -> mine.complete(null));
    }

    private static long bytes(Object value) {
        if (value instanceof DaySums sums) {
            return sums.bytes();
        }
        if (value instanceof WonDealDays deals) {
            return deals.bytes();
        }
        if (value instanceof SpendSums spend) {
            return spend.bytes();
        }
        return 64;
    }
}
