package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.ImportJob;
import io.closedloop.ingestion.config.IngestionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
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

    public Uni<Void> create(String id, String workspace, String kind, String mapping) {
        return pool.preparedQuery("insert into import_job (id, workspace_id, kind, mapping, state) values ($1, $2, $3, $4, 'RUNNING')")
                .execute(Tuple.of(id, workspace, kind, mapping)).replaceWithVoid();
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

    public Uni<Void> finish(String id, String state, String message, long read, long accepted, long rejected, List<ImportJob.RowError> errors) {
        return pool.preparedQuery("update import_job set state = $2, message = $3, rows_read = $4, rows_accepted = $5, rows_rejected = $6,"
                        + " errors = $7::text::jsonb, heartbeat_at = now(), finished_at = now() where id = $1")
                .execute(Tuple.tuple(java.util.Arrays.asList(id, state, message, read, accepted, rejected, json(errors))))
                .replaceWithVoid();
    }

    public Uni<ImportJob> find(String workspace, String id) {
        return pool.preparedQuery("select " + columns + " from import_job where workspace_id = $1 and id = $2")
                .execute(Tuple.of(workspace, id))
                .map(rows -> rows.size() == 0 ? null : job(rows.iterator().next()));
    }

    public Uni<List<ImportJob>> list(String workspace, int limit) {
        return pool.preparedQuery("select " + columns + " from import_job where workspace_id = $1 order by created_at desc limit $2")
                .execute(Tuple.of(workspace, limit))
                .map(rows -> {
                    List<ImportJob> jobs = new ArrayList<>();
                    rows.forEach(r -> jobs.add(job(r)));
                    return jobs;
                });
    }

    private static ImportJob job(Row r) {
        List<ImportJob.RowError> errors = new ArrayList<>();
        JsonArray array = new JsonArray(r.getString("errors"));
        for (int i = 0; i < array.size(); i++) {
            JsonObject e = array.getJsonObject(i);
            errors.add(new ImportJob.RowError(e.getLong("row"), e.getString("id"), e.getString("field"), e.getString("error")));
        }
        String state = r.getString("state");
        String message = r.getString("message");
        if (state.equals("RUNNING") && Boolean.TRUE.equals(r.getBoolean("stale"))) {
            state = "FAILED";
            message = "interrupted (the service stopped while importing); the rows counted were stored. Importing the same file"
                    + " again is safe: rows are upserted by their ids";
        }
        return new ImportJob(r.getString("id"), r.getString("kind"), r.getString("mapping"), state, r.getLong("rows_read"),
                r.getLong("rows_accepted"), r.getLong("rows_rejected"), errors, message, r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("finished_at"));
    }

    private static String json(List<ImportJob.RowError> errors) {
        JsonArray array = new JsonArray();
        for (ImportJob.RowError e : errors) {
            array.add(new JsonObject().put("row", e.row()).put("id", e.id()).put("field", e.field()).put("error", e.error()));
        }
        return array.encode();
    }
}
