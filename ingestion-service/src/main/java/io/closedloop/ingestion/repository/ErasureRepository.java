package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.segment.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables of erasure jobs (V3): the job, its tombstones, the marker that carries it to identity on the
 * identity-facts feed, the erasures feed item for attribution, and the chunked deletes of what ingestion holds.
 */
@ApplicationScoped
public class ErasureRepository {

    /** A job as stored; {@code requested} and {@code identifiers} are null once it is done. */
    public record Job(String id, String workspace, String stage, List<Identifier> requested, List<Identifier> identifiers,
                      JsonObject reports, OffsetDateTime requestedAt, OffsetDateTime finishedAt) {
    }

    private static final String COLUMNS = "id, workspace_id, stage, requested::text, identifiers::text, reports::text, requested_at, finished_at";

    public Uni<Job> insert(SqlConnection c, String id, String workspace, String requestHash, List<Identifier> requested, JsonObject reports) {
        return c.preparedQuery("insert into erasure_job (id, workspace_id, request_hash, requested, stage, reports)"
                        + " values ($1, $2, $3, $4::text::jsonb, 'REQUESTED', $5::text::jsonb)"
                        + " on conflict (workspace_id, request_hash) where stage <> 'DONE' do nothing returning " + COLUMNS)
                .execute(Tuple.of(id, workspace, requestHash, Identifier.toJson(requested), reports.encode()))
                .chain(rows -> rows.size() > 0 ? Uni.createFrom().item(job(rows.iterator().next()))
                        : c.preparedQuery("select " + COLUMNS + " from erasure_job where workspace_id = $1 and request_hash = $2"
                                + " and stage <> 'DONE'")
                        .execute(Tuple.of(workspace, requestHash)).map(r -> job(r.iterator().next())));
    }

    public Uni<Job> find(SqlConnection c, String id, boolean forUpdate) {
        return c.preparedQuery("select " + COLUMNS + " from erasure_job where id = $1" + (forUpdate ? " for update" : ""))
                .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : job(rows.iterator().next()));
    }

    /** Unfinished jobs at the stages ingestion drives (the others wait for identity or attribution). */
    public Uni<List<String>> runnable(SqlConnection c) {
        return c.query("select id from erasure_job where stage in ('REQUESTED', 'DELETING') order by requested_at limit 100").execute()
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    public Uni<Void> update(SqlConnection c, String id, String stage, List<Identifier> identifiers, JsonObject reports) {
        return c.preparedQuery("update erasure_job set stage = $2, identifiers = $3::text::jsonb, reports = $4::text::jsonb where id = $1")
                .execute(Tuple.of(id, stage, identifiers == null ? null : Identifier.toJson(identifiers), reports.encode())).replaceWithVoid();
    }

    /** The job is done: nothing of the person's values is kept, only the counts; the feed items that carried them go. */
    public Uni<Void> finish(SqlConnection c, String id, JsonObject reports) {
        return c.preparedQuery("update erasure_job set stage = 'DONE', requested = null, identifiers = null, reports = $2::text::jsonb,"
                        + " finished_at = now() where id = $1").execute(Tuple.of(id, reports.encode()))
                .chain(() -> c.preparedQuery("delete from erasure_item where erasure_id = $1").execute(Tuple.of(id)))
                .chain(() -> c.preparedQuery("delete from identity_fact where id = $1 and origin = 'erasure'").execute(Tuple.of(marker(id))))
                .replaceWithVoid();
    }

    public Uni<Void> tombstone(SqlConnection c, String workspace, String erasureId, List<String> hashes) {
        return c.preparedQuery("insert into erased_identifier (workspace_id, hash, erasure_id) select $1, h, $2 from unnest($3::text[]) h"
                        + " on conflict do nothing")
                .execute(Tuple.of(workspace, erasureId, hashes.toArray(new String[0]))).replaceWithVoid();
    }

    /** Which of {@code hashes} are tombstones of the workspace. */
    public Uni<Set<String>> erased(SqlConnection c, String workspace, List<String> hashes) {
        return c.preparedQuery("select hash from erased_identifier where workspace_id = $1 and hash = any($2)")
                .execute(Tuple.of(workspace, hashes.toArray(new String[0])))
                .map(rows -> {
                    Set<String> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /** The request on the identity-facts feed, after every fact already stored (see V3). */
    public Uni<Void> insertMarker(SqlConnection c, String workspace, String erasureId, List<Identifier> requested) {
        return c.preparedQuery("insert into identity_fact (workspace_id, id, origin, kind, occurred_at, identifiers)"
                        + " values ($1, $2, 'erasure', 'erasure', now(), $3::text::jsonb) on conflict do nothing")
                .execute(Tuple.of(workspace, marker(erasureId), Identifier.toJson(requested))).replaceWithVoid();
    }

    public Uni<Void> insertFeedItem(SqlConnection c, String workspace, String erasureId, List<Identifier> identifiers) {
        return c.preparedQuery("insert into erasure_item (workspace_id, erasure_id, identifiers) values ($1, $2, $3::text::jsonb)"
                        + " on conflict do nothing")
                .execute(Tuple.of(workspace, erasureId, Identifier.toJson(identifiers))).replaceWithVoid();
    }

    /**
     * The ids of at most {@code limit} rows of {@code table} (touch or identity_fact) naming any of the identifiers, read
     * outside any transaction: the scan takes a while on a large workspace and must not hold back the feeds (a read holds no
     * transaction id), so the delete that follows is a short one by primary key.
     */
    public Uni<List<String>> find(io.vertx.mutiny.sqlclient.Pool pool, String table, String workspace, List<Identifier> identifiers,
                                  int limit) {
        String erasureMarker = table.equals("identity_fact") ? " and origin <> 'erasure'" : "";
        return pool.preparedQuery("select id from " + table + " where workspace_id = $1" + erasureMarker
                        + " and identifiers @> any($2::text[]::jsonb[]) limit $3")
                .execute(Tuple.of(workspace, containments(identifiers), limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    /** Deletes these rows of {@code table} (checked again: they still name one of the identifiers); how many it deleted. */
    public Uni<Integer> delete(SqlConnection c, String table, String workspace, List<String> ids, List<Identifier> identifiers) {
        return c.preparedQuery("delete from " + table + " where workspace_id = $1 and id = any($2) and identifiers @> any($3::text[]::jsonb[])")
                .execute(Tuple.of(workspace, ids.toArray(new String[0]), containments(identifiers))).map(rows -> rows.rowCount());
    }

    /**
     * CRM contacts of the person keep what is the company's record (id, account, dates) and lose email and phone; the
     * change is a new crm feed item, so consumers drop them too.
     */
    public Uni<Integer> clearContacts(SqlConnection c, String workspace, List<Identifier> identifiers, int limit) {
        return c.preparedQuery("update crm_contact set email = null, phone = null, seq = nextval('crm_seq'), xid = pg_current_xact_id(),"
                        + " updated_at = now() where ctid = any(array(select ctid from crm_contact where workspace_id = $1"
                        + " and (email is not null or phone is not null)"
                        + " and (id = any($2) or email = any($3) or phone = any($4)) limit $5))")
                .execute(Tuple.of(workspace, values(identifiers, Identifier.CONTACT_ID), values(identifiers, Identifier.EMAIL),
                        values(identifiers, Identifier.PHONE), limit))
                .map(rows -> rows.rowCount());
    }

    /**
     * CSV import jobs whose error samples or message name any of the values (or an email's local part): the
     * affected samples keep their row and field, and their text is replaced.
     */
    public Uni<Integer> scrubImportErrors(SqlConnection c, String workspace, List<String> patterns, int limit) {
        // Only a sample's id and error text are matched, and a sample already scrubbed never again: the loop ends.
        return c.preparedQuery("""
                        update import_job j set
                            errors = (select coalesce(jsonb_agg(case when (e ->> 'error') is distinct from $4
                                              and (coalesce(e ->> 'id', '') || ' ' || coalesce(e ->> 'error', '')) ilike any($2)
                                          then jsonb_build_object('row', e -> 'row', 'id', null, 'field', e -> 'field', 'error', $4)
                                          else e end order by n), '[]'::jsonb)
                                      from jsonb_array_elements(j.errors) with ordinality as x(e, n)),
                            message = case when j.message is distinct from $4 and j.message ilike any($2) then $4 else j.message end
                        where j.ctid = any(array(select ctid from import_job i where i.workspace_id = $1
                            and ((i.message is distinct from $4 and i.message ilike any($2))
                                 or exists (select 1 from jsonb_array_elements(i.errors) e where (e ->> 'error') is distinct from $4
                                     and (coalesce(e ->> 'id', '') || ' ' || coalesce(e ->> 'error', '')) ilike any($2)))
                            limit $3))""")
                .execute(Tuple.of(workspace, patterns.toArray(new String[0]), limit, SCRUBBED)).map(rows -> rows.rowCount());
    }

    /** What replaces an error sample or message that quoted an erased person's value. */
    static final String SCRUBBED = "removed by an erasure";

    private static String[] containments(List<Identifier> identifiers) {
        return identifiers.stream().map(i -> Identifier.toJson(List.of(i))).toArray(String[]::new);
    }

    private static String[] values(List<Identifier> identifiers, String type) {
        return identifiers.stream().filter(i -> i.type().equals(type)).map(Identifier::value).toArray(String[]::new);
    }

    public static String marker(String erasureId) {
        return "erasure:" + erasureId;
    }

    private static Job job(Row r) {
        return new Job(r.getString("id"), r.getString("workspace_id"), r.getString("stage"), identifiers(r.getString("requested")),
                identifiers(r.getString("identifiers")), new JsonObject(r.getString("reports")), r.getOffsetDateTime("requested_at"),
                r.getOffsetDateTime("finished_at"));
    }

    private static List<Identifier> identifiers(String json) {
        if (json == null) {
            return null;
        }
        List<Identifier> out = new ArrayList<>();
        new JsonArray(json).forEach(o -> {
            JsonObject i = (JsonObject) o;
            out.add(new Identifier(i.getString("type"), i.getString("value")));
        });
        return out;
    }
}
