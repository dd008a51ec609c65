package io.closedloop.identity.repository;

import io.closedloop.identity.IdentitySettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The identity_settings table through the reactive SQL client: every statement stands alone, so the root fields of
 * one GraphQL document, which SmallRye resolves concurrently on one Vert.x context, can each read settings (a
 * Hibernate Reactive session bound to that context cannot be used by two of them at once: quarkus#32870).
 */
@ApplicationScoped
public class IdentitySettingsRepository {

    private final Pool pool;

    public IdentitySettingsRepository(Pool pool) {
        this.pool = pool;
    }

    /** The workspace's stored settings, or null when it never changed them. */
    public Uni<IdentitySettings> find(String workspace) {
        return pool.preparedQuery("select workspace_id, explosion_guard_limit, updated_at from identity_settings where workspace_id = $1")
                .execute(Tuple.of(workspace)).map(IdentitySettingsRepository::first);
    }

    public Uni<IdentitySettings> update(String workspace, int explosionGuardLimit) {
        return pool.preparedQuery("""
                        insert into identity_settings (workspace_id, explosion_guard_limit, updated_at) values ($1, $2, now())
                        on conflict (workspace_id) do update set explosion_guard_limit = $2, updated_at = now()
                        returning workspace_id, explosion_guard_limit, updated_at""")
                .execute(Tuple.of(workspace, explosionGuardLimit)).map(IdentitySettingsRepository::first);
    }

    private static IdentitySettings first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row r = rows.iterator().next();
        IdentitySettings s = IdentitySettings.defaults(r.getString("workspace_id"));
        s.explosionGuardLimit = r.getInteger("explosion_guard_limit");
        s.updatedAt = r.getOffsetDateTime("updated_at");
        return s;
    }
}
