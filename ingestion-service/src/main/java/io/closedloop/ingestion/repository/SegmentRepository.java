package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.privacy.Tombstones;
import io.closedloop.ingestion.segment.FactRow;
import io.closedloop.ingestion.segment.TouchRow;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Stores a Segment request's touches and identity facts in one statement (so one transaction,
 * committed synchronously before the request is acknowledged): {@code insert ... select from
 * unnest(arrays)}. A messageId already stored is ignored (first write wins): the statement first runs as a plain insert,
 * as fast as COPY, and only when it meets a stored key (a client's retry; nothing of the failed try is kept) again with
 * {@code on conflict do nothing}, whose speculative insertion costs about a third more per row. A message naming an
 * erased identifier is not stored (DESIGN §6): the statement checks the tombstones with the workspace's key pads, and
 * only when the workspace has any. Rows are inserted in id order: two requests carrying some of the same messages (a
 * retry racing its original, derived ids of identical messages) then wait for each other's keys in one order, never
 * deadlock (which would answer 503 to both).
 */
@ApplicationScoped
public class SegmentRepository {

    private static final String STORE_TEMPLATE = """
            with ok as (
                -- key share: updatePrivacySettings (for update) waits for this write, then sees its rows
                select coalesce((select hash_identifiers from workspace where id = $1 for key share), false) = $26 as ok
            ), t as (
                insert into touch (workspace_id, id, origin, occurred_at, type, identifiers, channel, source, medium, campaign,
                                   content, term, referrer, url, click_ids, event, utm_valid, raw)
                select $1, u.id, 'segment', u.occurred_at, u.type, u.identifiers::jsonb, u.channel, u.source, u.medium, u.campaign,
                       u.content, u.term, u.referrer, u.url, u.click_ids::jsonb, u.event, u.utm_valid, u.raw::jsonb
                from unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::boolean[], $17::text[])
                     as u(id, occurred_at, type, identifiers, channel, source, medium, campaign, content, term, referrer, url,
                          click_ids, event, utm_valid, raw)
                where (select ok from ok) and ((select not exists (select 1 from erased_identifier where workspace_id = $1))
                   or not names_erased($1, $24, $25, u.identifiers::jsonb))
                order by u.id
                %1$s
                returning 1
            ), f as (
                insert into identity_fact (workspace_id, id, origin, kind, occurred_at, identifiers, account, raw)
                select $1, v.id, 'segment', v.kind, v.occurred_at, v.identifiers::jsonb, v.account::jsonb, v.raw::jsonb
                from unnest($18::text[], $19::text[], $20::timestamptz[], $21::text[], $22::text[], $23::text[])
                     as v(id, kind, occurred_at, identifiers, account, raw)
                where (select ok from ok) and ((select not exists (select 1 from erased_identifier where workspace_id = $1))
                   or not names_erased($1, $24, $25, v.identifiers::jsonb))
                order by v.id
                %1$s
                returning 1
            )
            select (select count(*) from t) as touches, (select count(*) from f) as facts, (select ok from ok) as ok""";
    /** The request's rows when none is stored yet (the usual case). */
    static final String STORE = STORE_TEMPLATE.formatted("");
    /** The same keeping the rows already stored: after {@link #STORE} met one. */
    static final String STORE_NEW = STORE_TEMPLATE.formatted("on conflict do nothing");
    private static final String UNIQUE_VIOLATION = "23505";

    private final Pool pool;
    private final Tombstones tombstones;

    public SegmentRepository(Pool pool, Tombstones tombstones) {
        this.pool = pool;
        this.tombstones = tombstones;
    }

    /** How many touches and facts were new (the rest were already stored); none when {@code hashed} is not the workspace's setting. */
    public record Stored(long touches, long facts, boolean settingHeld) {
    }

    /**
     * @param hashed whether the rows were read with the workspace's hashIdentifiers setting on: when the setting is not that
     *               (a replica's cache had not seen a change), nothing is stored and {@code settingHeld} is false
     */
    public Uni<Stored> store(String workspace, List<TouchRow> touches, List<FactRow> facts, boolean hashed) {
        int n = touches.size();
        String[] id = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        String[] type = new String[n];
        String[] identifiers = new String[n];
        String[] channel = new String[n];
        String[] source = new String[n];
        String[] medium = new String[n];
        String[] campaign = new String[n];
        String[] content = new String[n];
        String[] term = new String[n];
        String[] referrer = new String[n];
        String[] url = new String[n];
        String[] clickIds = new String[n];
        String[] event = new String[n];
        Boolean[] utmValid = new Boolean[n];
        String[] raw = new String[n];
        for (int i = 0; i < n; i++) {
            TouchRow t = touches.get(i);
            id[i] = t.id();
            at[i] = t.occurredAt();
            type[i] = t.type();
            identifiers[i] = t.identifiers();
            channel[i] = t.channel();
            source[i] = t.source();
            medium[i] = t.medium();
            campaign[i] = t.campaign();
            content[i] = t.content();
            term[i] = t.term();
            referrer[i] = t.referrer();
            url[i] = t.url();
            clickIds[i] = t.clickIds();
            event[i] = t.event();
            utmValid[i] = t.utmValid();
            raw[i] = t.raw();
        }
        int m = facts.size();
        String[] fid = new String[m];
        String[] kind = new String[m];
        OffsetDateTime[] fat = new OffsetDateTime[m];
        String[] fidentifiers = new String[m];
        String[] account = new String[m];
        String[] fraw = new String[m];
        for (int i = 0; i < m; i++) {
            FactRow f = facts.get(i);
            fid[i] = f.id();
            kind[i] = f.kind();
            fat[i] = f.occurredAt();
            fidentifiers[i] = f.identifiers();
            account[i] = f.account();
            fraw[i] = f.raw();
        }
        List<byte[]> pads = tombstones.pads(workspace);
        Tuple args = Tuple.tuple(List.of(workspace, id, at, type, identifiers, channel, source, medium, campaign, content, term,
                referrer, url, clickIds, event, utmValid, raw, fid, kind, fat, fidentifiers, account, fraw,
                Buffer.buffer(pads.get(0)), Buffer.buffer(pads.get(1)), hashed));
        return pool.preparedQuery(STORE).execute(args)
                .onFailure(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))
                .recoverWithUni(() -> pool.preparedQuery(STORE_NEW).execute(args)).map(rows -> {
            Row row = rows.iterator().next();
            return new Stored(row.getLong("touches"), row.getLong("facts"), row.getBoolean("ok"));
        });
    }
}
