package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.ImportJob;
import io.closedloop.ingestion.ImportState;
import io.closedloop.ingestion.config.IngestionConfig;
import io.closedloop.ingestion.csv.ImportKind;
import io.closedloop.ingestion.csv.ImportMapping;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Import jobs and their progress (table import_job). */
@ApplicationScoped
public class ImportJobRepository {

    private final Pool pool;
    /** The columns read, with whether a RUNNING job's heartbeat is older than {@code stale-after}: it was interrupted. */
    private final String columns;

    public ImportJobRepository(Pool pool, IngestionConfig config) {
        this.pool = pool;
        this.columns = "id, kind, mapping, state, rows_read, rows_accepted, rows_rejected, errors::text, message, created_at,"
                + " finished_at, heartbeat_at < now() - interval '" + config.imports().staleAfter().toMillis() + " milliseconds' as stale";
    }

    /** Stores a new RUNNING job; its creation time comes back (the database's: jobs are paged by it). */
    public Uni<OffsetDateTime> create(String id, String workspace, ImportKind kind, ImportMapping mapping) {
        return pool.preparedQuery("insert into import_job (id, workspace_id, kind, mapping, state) values ($1, $2, $3, $4, 'RUNNING')"
                        + " returning created_at")
                .execute(Tuple.of(id, workspace, kind.path(), mapping.stored()))
                .map(rows -> rows.iterator().next().getOffsetDateTime("created_at"));
    }

    /** Jobs accepted and not ended (waiting for a slot or running) are alive: their heartbeat says so (not stale). */
    public Uni<Void> heartbeat(List<String> ids) {
        return pool.preparedQuery("update import_job set heartbeat_at = now() where id = any($1) and state = 'RUNNING'")
                .execute(Tuple.of(ids.toArray(String[]::new))).replaceWithVoid();
    }

    public Uni<Void> progress(String id, long read, long accepted, long rejected, List<ImportJob.RowError> errors) {
        return pool.preparedQuery("update import_job set rows_read = $2, rows_accepted = $3, rows_rejected = $4, errors = $5::text::jsonb,"
                        + " heartbeat_at = now() where id = $1")
                .execute(Tuple.of(id, read, accepted, rejected, json(errors))).replaceWithVoid();
    }

    public Uni<Void> finish(String id, ImportState state, String message, long read, long accepted, long rejected, List<ImportJob.RowError> errors) {
        return pool.preparedQuery("update import_job set state = $2, message = $3, rows_read = $4, rows_accepted = $5, rows_rejected = $6,"
                        + " errors = $7::text::jsonb, heartbeat_at = now(), finished_at = now() where id = $1")
                .execute(Tuple.tuple(Arrays.asList(id, state.name(), message, read, accepted, rejected, json(errors))))
                .replaceWithVoid();
    }

    public Uni<ImportJob> find(String workspace, String id) {
        return pool.preparedQuery("select " + columns + " from import_job where workspace_id = $1 and id = $2")
                .execute(Tuple.of(workspace, id))
                .map(rows -> rows.size() == 0 ? null : job(rows.iterator().next()));
    }

    /**
     * The workspace's jobs newest first, by (created_at, id) descending: at most {@code limit} of them, those after the job
     * created at {@code createdAt} with id {@code id} in that order, or from the newest when {@code createdAt} is null.
     */
    public Uni<List<ImportJob>> page(String workspace, OffsetDateTime createdAt, String id, int limit) {
        String after = createdAt == null ? "" : " and (created_at, id) < ($3, $4)";
        Tuple args = createdAt == null ? Tuple.of(workspace, limit) : Tuple.of(workspace, limit, createdAt, id);
        return pool.preparedQuery("select " + columns + " from import_job where workspace_id = $1" + after
                        + " order by created_at desc, id desc limit $2")
                .execute(args)
                .map(rows -> {
                    List<ImportJob> jobs = new ArrayList<>();
                    rows.forEach(r -> jobs.add(job(r)));
                    return jobs;
                });
    }

    /** How many import jobs the workspace has. */
    public Uni<Integer> count(String workspace) {
        return pool.preparedQuery("select count(*) from import_job where workspace_id = $1").execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    private static ImportJob job(Row r) {
        List<ImportJob.RowError> errors = new ArrayList<>();
        JsonArray array = new JsonArray(r.getString("errors"));
        for (int i = 0; i < array.size(); i++) {
            JsonObject e = array.getJsonObject(i);
            errors.add(new ImportJob.RowError(e.getLong("row"), e.getString("id"), e.getString("field"), e.getString("error")));
        }
        // Written in row order already; sorted here so that paging them by row (a row's cursor) never depends on it.
        errors.sort(Comparator.comparingLong(ImportJob.RowError::row));
        ImportState state = ImportState.valueOf(r.getString("state"));
        String message = r.getString("message");
        if (state == ImportState.RUNNING && Boolean.TRUE.equals(r.getBoolean("stale"))) {
            state = ImportState.FAILED;
            message = "interrupted (the service stopped while importing); the rows counted were stored. Importing the same file"
                    + " again is safe: rows are upserted by their ids";
        }
        return new ImportJob(r.getString("id"), ImportKind.of(r.getString("kind")), ImportMapping.ofStored(r.getString("mapping")), state,
                r.getLong("rows_read"), r.getLong("rows_accepted"), r.getLong("rows_rejected"), errors, message,
                r.getOffsetDateTime("created_at"), r.getOffsetDateTime("finished_at"));
    }

    private static String json(List<ImportJob.RowError> errors) {
        JsonArray array = new JsonArray();
        for (ImportJob.RowError e : errors) {
            array.add(new JsonObject().put("row", e.row()).put("id", e.id()).put("field", e.field()).put("error", e.error()));
        }
        return array.encode();
    }
}
