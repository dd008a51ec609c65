package io.closedloop.ingestion.service;

import io.closedloop.ingestion.config.IngestionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a Segment write key to its workspace. Lookups are cached briefly
 * ({@code closedloop.ingestion.segment.write-key-cache-ttl}), unknown keys too, so a flood of
 * requests costs one query per key and period; keys created or revoked through this replica take
 * effect at once, on other replicas within the TTL.
 */
@ApplicationScoped
public class WriteKeyAuthenticator {

    private static final int MAX_CACHED = 100_000;

    private record Entry(Optional<String> workspace, long expiresAt) {
    }

    private final Pool pool;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public WriteKeyAuthenticator(Pool pool, IngestionConfig config) {
        this.pool = pool;
        this.ttlNanos = config.segment().writeKeyCacheTtl().toNanos();
    }

    /** The workspace of an active key; empty when the key is unknown or revoked. */
    public Uni<Optional<String>> workspaceOf(String key) {
        if (key == null || key.isEmpty() || key.length() > 200) {
            return Uni.createFrom().item(Optional.empty());
        }
        long now = System.nanoTime();
        Entry cached = cache.get(key);
        if (cached != null && cached.expiresAt - now > 0) {
            return Uni.createFrom().item(cached.workspace);
        }
        return pool.preparedQuery("select workspace_id from write_key where key = $1 and revoked_at is null")
                .execute(Tuple.of(key))
                .map(rows -> {
                    Optional<String> workspace = Optional.empty();
                    for (Row row : rows) {
                        workspace = Optional.of(row.getString(0));
                    }
                    if (cache.size() >= MAX_CACHED) {
                        cache.clear();
                    }
                    cache.put(key, new Entry(workspace, System.nanoTime() + ttlNanos));
                    return workspace;
                });
    }

    /** Forgets a key (created or revoked here), so the change takes effect at once on this replica. */
    public void forget(String key) {
        cache.remove(key);
    }
}
