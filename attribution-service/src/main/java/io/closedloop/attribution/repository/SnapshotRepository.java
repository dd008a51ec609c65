package io.closedloop.attribution.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The snapshot tables (V23): a snapshot's header and its reports, written once in one transaction, read many times. */
@ApplicationScoped
public class SnapshotRepository {

    /**
     * A snapshot without its reports; {@code moment}: what its figures were computed from (VersionRepository; null before
     * versioning).
     */
    public record Header(String id, String name, Instant createdAt, LocalDate from, LocalDate to, JsonObject settings,
                         String dataVersion, String moment) {
    }

    /**
     * One report of a snapshot: the model's position among the snapshot's models, its basis and grouping, the model's
     * parameters, how many rows it had, and its JSON (StoredReport; null where only what it is was read).
     */
    public record Report(int model, String basis, String groupBy, JsonObject options, int totalRows, JsonObject report) {
    }

    private final Pool pool;

    public SnapshotRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores a snapshot; {@code scheduledMonth} (the month a scheduled snapshot is of, else null) is taken once per
     * workspace: false when another replica stored that month's already.
     */
    public Uni<Boolean> insert(String workspace, Header header, List<Report> reports, LocalDate scheduledMonth) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                        insert into snapshot (workspace_id, id, name, created_at, period_from, period_to, settings, data_version,
                                              scheduled_month, moment)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing""")
                .execute(Tuple.tuple().addString(workspace).addString(header.id()).addString(header.name())
                        .addOffsetDateTime(header.createdAt().atOffset(ZoneOffset.UTC)).addLocalDate(header.from())
                        .addLocalDate(header.to()).addJsonObject(header.settings()).addString(header.dataVersion())
                        .addLocalDate(scheduledMonth).addString(header.moment()))
                .chain(inserted -> inserted.rowCount() == 0 ? Uni.createFrom().item(false)
                        : insertReports(tx, workspace, header.id(), reports).replaceWith(true)));
    }

    /** A workspace's monthly schedule: its models' parameters (JSON), bases and groupings. */
    public record Schedule(String workspace, io.vertx.core.json.JsonArray models, List<String> bases, List<String> groupBy,
                           Instant updatedAt) {
    }

    public Uni<Schedule> saveSchedule(String workspace, io.vertx.core.json.JsonArray models, List<String> bases, List<String> groupBy) {
        return pool.preparedQuery("""
                        insert into snapshot_schedule (workspace_id, models, bases, group_by, updated_at) values ($1, $2, $3, $4, now())
                        on conflict (workspace_id) do update set models = $2, bases = $3, group_by = $4, updated_at = now()
                        returning workspace_id, models, bases, group_by, updated_at""")
                .execute(Tuple.of(workspace, models, bases.toArray(String[]::new), groupBy.toArray(String[]::new)))
                .map(rows -> schedule(rows.iterator().next()));
    }

    public Uni<Boolean> deleteSchedule(String workspace) {
        return pool.preparedQuery("delete from snapshot_schedule where workspace_id = $1").execute(Tuple.of(workspace))
                .map(rows -> rows.rowCount() > 0);
    }

    /** The workspace's schedule, or null. */
    public Uni<Schedule> schedule(String workspace) {
        return pool.preparedQuery("select workspace_id, models, bases, group_by, updated_at from snapshot_schedule where workspace_id = $1")
                .execute(Tuple.of(workspace)).map(rows -> rows.size() == 0 ? null : schedule(rows.iterator().next()));
    }

    /** The schedules whose snapshot of {@code month} no replica has claimed yet. */
    public Uni<List<Schedule>> due(LocalDate month) {
        return pool.preparedQuery("""
                        select workspace_id, models, bases, group_by, updated_at from snapshot_schedule
                        where last_month is null or last_month < $1 order by workspace_id""")
                .execute(Tuple.of(month)).map(rows -> {
                    List<Schedule> out = new ArrayList<>();
                    rows.forEach(r -> out.add(schedule(r)));
                    return out;
                });
    }

    /** Claims the snapshot of {@code month} for this replica: false when another one has. */
    public Uni<Boolean> claim(String workspace, LocalDate month) {
        return pool.preparedQuery("""
                        update snapshot_schedule set last_month = $2
                        where workspace_id = $1 and (last_month is null or last_month < $2)""")
                .execute(Tuple.of(workspace, month)).map(rows -> rows.rowCount() > 0);
    }

    /** Gives the claim of {@code month} back (its snapshot failed), so that the next check takes it. */
    public Uni<Void> release(String workspace, LocalDate month) {
        return pool.preparedQuery("update snapshot_schedule set last_month = $3 where workspace_id = $1 and last_month = $2")
                .execute(Tuple.of(workspace, month, month.minusMonths(1))).replaceWithVoid();
    }

    private static Schedule schedule(Row r) {
        return new Schedule(r.getString(0), (io.vertx.core.json.JsonArray) r.getValue(1), List.of(r.getArrayOfStrings(2)),
                List.of(r.getArrayOfStrings(3)), r.getOffsetDateTime(4).toInstant());
    }

    private static Uni<Void> insertReports(SqlClient tx, String workspace, String snapshot, List<Report> reports) {
        List<Tuple> rows = new ArrayList<>();
        for (Report r : reports) {
            rows.add(Tuple.tuple().addString(workspace).addString(snapshot).addInteger(r.model()).addString(r.basis())
                    .addString(r.groupBy()).addJsonObject(r.options()).addInteger(r.totalRows()).addJsonObject(r.report()));
        }
        return tx.preparedQuery("""
                        insert into snapshot_report (workspace_id, snapshot_id, model, basis, group_by, options, total_rows, report)
                        values ($1, $2, $3, $4, $5, $6, $7, $8)""").executeBatch(rows).replaceWithVoid();
    }

    /** The workspace's snapshots, newest first (a few a month: a workspace's list is read whole and paged in memory). */
    public Uni<List<Header>> list(String workspace) {
        return pool.preparedQuery("""
                        select id, name, created_at, period_from, period_to, settings, data_version, moment from snapshot
                        where workspace_id = $1 order by created_at desc, id desc""")
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    List<Header> out = new ArrayList<>();
                    rows.forEach(r -> out.add(header(r)));
                    return out;
                });
    }

    /** How many snapshots the workspace keeps. */
    public Uni<Integer> count(String workspace) {
        return pool.preparedQuery("select count(*)::int from snapshot where workspace_id = $1").execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** The snapshot's header, or null. */
    public Uni<Header> find(String workspace, String id) {
        return pool.preparedQuery("""
                        select id, name, created_at, period_from, period_to, settings, data_version, moment from snapshot
                        where workspace_id = $1 and id = $2""")
                .execute(Tuple.of(workspace, id)).map(rows -> rows.size() == 0 ? null : header(rows.iterator().next()));
    }

    /** What the snapshots {@code ids} hold (their reports without the JSON), by snapshot, in model, basis, grouping order. */
    public Uni<Map<String, List<Report>>> contents(String workspace, List<String> ids) {
        return pool.preparedQuery("""
                        select snapshot_id, model, basis, group_by, options, total_rows from snapshot_report
                        where workspace_id = $1 and snapshot_id = any($2) order by snapshot_id, model, basis, group_by""")
                .execute(Tuple.of(workspace, ids.toArray(String[]::new))).map(rows -> {
                    Map<String, List<Report>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), id -> new ArrayList<>()).add(new Report(r.getInteger(1),
                            r.getString(2), r.getString(3), r.getJsonObject(4), r.getInteger(5), null)));
                    return out;
                });
    }

    /** One report of the snapshot, or null. */
    public Uni<Report> report(String workspace, String id, int model, String basis, String groupBy) {
        return pool.preparedQuery("""
                        select model, basis, group_by, options, total_rows, report from snapshot_report
                        where workspace_id = $1 and snapshot_id = $2 and model = $3 and basis = $4 and group_by = $5""")
                .execute(Tuple.tuple().addString(workspace).addString(id).addInteger(model).addString(basis).addString(groupBy))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Report(r.getInteger(0), r.getString(1), r.getString(2), r.getJsonObject(3), r.getInteger(4),
                            r.getJsonObject(5));
                });
    }

    public Uni<Boolean> delete(String workspace, String id) {
        return pool.withTransaction(tx -> tx.preparedQuery("delete from snapshot_report where workspace_id = $1 and snapshot_id = $2")
                .execute(Tuple.of(workspace, id))
                .chain(() -> tx.preparedQuery("delete from snapshot where workspace_id = $1 and id = $2").execute(Tuple.of(workspace, id)))
                .map(rows -> rows.rowCount() > 0));
    }

    private static Header header(Row r) {
        return new Header(r.getString(0), r.getString(1), r.getOffsetDateTime(2).toInstant(), r.getLocalDate(3), r.getLocalDate(4),
                r.getJsonObject(5), r.getString(6), r.getString(7));
    }
}
