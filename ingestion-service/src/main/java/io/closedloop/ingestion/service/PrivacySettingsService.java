package io.closedloop.ingestion.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.ingestion.privacy.IdentifierHashing;
import io.closedloop.ingestion.privacy.Tombstones;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;

/**
 * A workspace's {@code hashIdentifiers} setting (DESIGN §6). It changes only while the workspace holds no touch, identity fact
 * or contact: hashed and plain identifiers of the same person would never match. Segment writes read it through a short cache
 * and check it again in their own statement (SegmentRepository), CRM writes in their transaction ({@link #forWrite}); both
 * lock the workspace row for key share, which {@link #update} waits for, so no write stores a form the setting no longer has.
 */
@ApplicationScoped
public class PrivacySettingsService {

    private final Pool pool;
    private final Tombstones tombstones;
    private final Cache<String, Boolean> cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(10)).build();

    public PrivacySettingsService(Pool pool, Tombstones tombstones) {
        this.pool = pool;
        this.tombstones = tombstones;
    }

    /** Whether the workspace hashes emails and phones (cached up to 10 s). */
    public Uni<Boolean> hashIdentifiers(String workspace) {
        Boolean kept = cache.getIfPresent(workspace);
        return kept != null ? Uni.createFrom().item(kept) : read(pool, workspace);
    }

    /** The setting as stored now. */
    public Uni<Boolean> current(String workspace) {
        return read(pool, workspace);
    }

    /** The setting as stored now, through {@code client} (a transaction's connection reads it in that transaction). */
    public Uni<Boolean> read(SqlClient client, String workspace) {
        return client.preparedQuery("select hash_identifiers from workspace where id = $1").execute(Tuple.of(workspace))
                .map(rows -> {
                    boolean on = rows.size() > 0 && rows.iterator().next().getBoolean(0);
                    cache.put(workspace, on);
                    return on;
                });
    }

    /**
     * The setting for a write in transaction {@code c}: the workspace row is locked for key share until the write commits, so
     * {@link #update} (which locks it for update, then looks for data) cannot change the setting under a write.
     */
    public Uni<Boolean> forWrite(SqlConnection c, String workspace) {
        return c.preparedQuery("insert into workspace (id) values ($1) on conflict (id) do nothing").execute(Tuple.of(workspace))
                .chain(() -> c.preparedQuery("select hash_identifiers from workspace where id = $1 for key share").execute(Tuple.of(workspace)))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** The hashing of the workspace when its setting is on. */
    public Optional<IdentifierHashing> hashing(String workspace, boolean on) {
        return on ? Optional.of(tombstones.hashing(workspace)) : Optional.empty();
    }

    public void forget(String workspace) {
        cache.invalidate(workspace);
    }

    /** Sets it; refused naming the field once the workspace holds data, unless it is unchanged. */
    public Uni<Boolean> update(String workspace, boolean on) {
        return pool.withTransaction(c -> c.preparedQuery("insert into workspace (id) values ($1) on conflict (id) do nothing")
                .execute(Tuple.of(workspace))
                .chain(() -> c.preparedQuery("select hash_identifiers from workspace where id = $1 for update").execute(Tuple.of(workspace)))
                .chain(rows -> {
                    if (rows.iterator().next().getBoolean(0) == on) {
                        return Uni.createFrom().item(on);
                    }
                    return c.preparedQuery("select exists (select 1 from touch where workspace_id = $1)"
                                    + " or exists (select 1 from identity_fact where workspace_id = $1)"
                                    + " or exists (select 1 from crm_contact where workspace_id = $1)").execute(Tuple.of(workspace))
                            .chain(data -> {
                                if (data.iterator().next().getBoolean(0)) {
                                    throw new IllegalArgumentException("updatePrivacySettings.hashIdentifiers: can only change while the"
                                            + " workspace holds no touch, identity fact or contact (hashed and plain identifiers of one"
                                            + " person would never match); set it before sending data");
                                }
                                return c.preparedQuery("update workspace set hash_identifiers = $2 where id = $1")
                                        .execute(Tuple.of(workspace, on)).replaceWith(on);
                            });
                })).invoke(() -> cache.invalidate(workspace));
    }
}
