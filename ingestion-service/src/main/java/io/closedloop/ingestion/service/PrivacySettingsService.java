package io.closedloop.ingestion.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.ingestion.privacy.IdentifierHashing;
import io.closedloop.ingestion.privacy.Tombstones;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Optional;

/**
 * A workspace's {@code hashIdentifiers} setting (DESIGN §6). It changes only while the workspace holds no touch, identity fact
 * or contact: hashed and plain identifiers of the same person would never match. Writers read it through a short cache; a
 * Segment write checks it again in its own statement (SegmentRepository), so a replica that has not seen a change yet stores
 * nothing in the wrong form.
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
