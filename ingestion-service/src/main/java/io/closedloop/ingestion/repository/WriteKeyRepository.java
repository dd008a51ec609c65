package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.WriteKey;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * The write_key table through the reactive SQL client: every statement stands alone, so the root fields of one
 * GraphQL document, which SmallRye resolves concurrently on one Vert.x context, can each use it (a Hibernate
 * Reactive session bound to that context cannot be used by two of them at once: quarkus#32870).
 */
@ApplicationScoped
public class WriteKeyRepository {

    private static final String COLUMNS = "id, workspace_id, name, key, created_at, revoked_at";

    private final Pool pool;

    public WriteKeyRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<WriteKey>> listByWorkspace(String workspace) {
        return pool.preparedQuery("select " + COLUMNS + " from write_key where workspace_id = $1 order by id")
                .execute(Tuple.of(workspace)).map(WriteKeyRepository::all);
    }

    /** Stores a new key, registering its workspace on its first key. */
    public Uni<WriteKey> create(String workspace, String name, String key) {
        return pool.withTransaction(tx -> tx.preparedQuery("insert into workspace (id) values ($1) on conflict (id) do nothing")
                .execute(Tuple.of(workspace))
                .chain(() -> tx.preparedQuery("insert into write_key (workspace_id, name, key) values ($1, $2, $3) returning " + COLUMNS)
                        .execute(Tuple.of(workspace, name, key)))
                .map(rows -> all(rows).get(0)));
    }

    /** Revokes a key of {@code workspace} (a revoked key keeps its first revocation time); null when there is none. */
    public Uni<WriteKey> revoke(String workspace, long id) {
        return pool.preparedQuery("update write_key set revoked_at = coalesce(revoked_at, now())"
                        + " where workspace_id = $1 and id = $2 returning " + COLUMNS)
                .execute(Tuple.of(workspace, id)).map(rows -> rows.size() == 0 ? null : all(rows).get(0));
    }

    private static List<WriteKey> all(RowSet<Row> rows) {
        List<WriteKey> keys = new ArrayList<>(rows.size());
        for (Row r : rows) {
            WriteKey k = new WriteKey();
            k.id = r.getLong("id");
            k.workspaceId = r.getString("workspace_id");
            k.name = r.getString("name");
            k.key = r.getString("key");
            k.createdAt = r.getOffsetDateTime("created_at");
            k.revokedAt = r.getOffsetDateTime("revoked_at");
            keys.add(k);
        }
        return keys;
    }
}
