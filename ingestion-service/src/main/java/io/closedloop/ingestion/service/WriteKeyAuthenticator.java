package io.closedloop.ingestion.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.ingestion.config.IngestionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves a Segment write key to its workspace. Lookups are cached briefly
 * ({@code closedloop.ingestion.segment.write-key-cache-ttl}), unknown keys too, so a flood of
 * requests costs one query per key and period; keys created or revoked through this replica take
 * effect at once, on other replicas within the TTL. A key that cannot have been issued (not the
 * form WriteKeyService gives them) is unknown without a query.
 */
@ApplicationScoped
public class WriteKeyAuthenticator {

    /** What WriteKeyService issues: 24 random bytes, base64url without padding. */
    private static final Pattern ISSUED_FORM = Pattern.compile("[A-Za-z0-9_-]{32}");
    /** Entries are a key (32 characters) and a workspace id: bounded by count, least recently used out first. */
    private static final int MAX_CACHED = 100_000;

    private final Pool pool;
    private final Cache<String, Optional<String>> cache;

    public WriteKeyAuthenticator(Pool pool, IngestionConfig config) {
        this.pool = pool;
        this.cache = Caffeine.newBuilder().maximumSize(MAX_CACHED).expireAfterWrite(config.segment().writeKeyCacheTtl())
                .executor(Runnable::run).build();
    }

    /** The workspace of an active key; empty when the key is unknown or revoked. */
    public Uni<Optional<String>> workspaceOf(String key) {
        if (key == null || !ISSUED_FORM.matcher(key).matches()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Optional<String> cached = cache.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return pool.preparedQuery("select workspace_id from write_key where key = $1 and revoked_at is null")
                .execute(Tuple.of(key))
                .map(rows -> {
                    Optional<String> workspace = Optional.empty();
                    for (Row row : rows) {
                        workspace = Optional.of(row.getString(0));
                    }
                    cache.put(key, workspace);
                    return workspace;
                });
    }

    /** Forgets a key (created or revoked here), so the change takes effect at once on this replica. */
    public void forget(String key) {
        cache.invalidate(key);
    }
}
