package io.closedloop.attribution.service;

import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.plumbing.feed.FeedItem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies ingestion's `erasures` (docs/feeds.md): each item names every identifier of an erased person (identity
 * resolved them). Removes the touches carrying any of them and their memberships (the rollups are corrected around the
 * page by IncrementalRollups), and records the counts for ingestion's job report. CRM contacts here hold no personal
 * data (id, account, lead time) and stay. The replaced versions of those rows (V24, explainChange) go too, and the erasure's
 * own changes keep none.
 */
@ApplicationScoped
public class ErasureApplyService {

    /** A report waiting to be posted to ingestion. */
    public record Report(String erasureId, String workspace, JsonObject removed) {
    }

    public Uni<Void> applyErasures(SqlConnection tx, List<FeedItem> items) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (FeedItem item : items) {
            String erasureId = item.payload().getString("erasureId");
            chain = chain.chain(() -> personIdentifiers(tx, item.workspace(), identifiers(item)).chain(all -> {
                String[] array = all.toArray(new String[0]);
                // A B2C opportunity ('person:<id>', DESIGN §3) keeps a pseudonymous account of its own, not the person's id,
                // in its replaced versions too.
                Uni<Void> b2c = erasureId == null ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                                with erased as (select 'person:' || person_id as account from membership
                                                where workspace_id = $1 and identifier = any($2) and person_id is not null),
                                     versions as (update replaced_row set old = jsonb_set(old, '{account_id}', to_jsonb($3::text))
                                                  where workspace_id = $1 and entity = 'opportunity'
                                                    and old ->> 'account_id' in (select account from erased))
                                update opportunity set account_id = $3 where workspace_id = $1 and account_derived
                                    and account_id in (select account from erased)""")
                        .execute(Tuple.of(item.workspace(), array, erasedAccount(erasureId))).replaceWithVoid()
                        .chain(() -> JourneyRepository.dealsChanged(tx, List.of(item.workspace())));
                // Nothing of the person stays in any version: the erasure's own changes keep none, the older ones go.
                Uni<Void> noVersions = tx.preparedQuery("select set_config('closedloop.erasing', 'on', true)").execute()
                        .chain(() -> tx.preparedQuery("""
                                delete from replaced_row where workspace_id = $1 and (
                                    entity = 'touch' and ((old -> 'identifiers') ?| $2
                                        or id in (select id from touch where workspace_id = $1 and identifiers && $2))
                                    or entity = 'membership' and (id = any($2) or old ->> 'person_id' in
                                        (select person_id from membership where workspace_id = $1 and identifier = any($2))))""")
                                .execute(Tuple.of(item.workspace(), array))).replaceWithVoid();
                return noVersions.chain(() -> b2c).chain(() -> tx.preparedQuery("delete from touch where workspace_id = $1 and identifiers && $2")
                                .execute(Tuple.of(item.workspace(), array)))
                        .chain(touches -> tx.preparedQuery("delete from membership where workspace_id = $1 and identifier = any($2)")
                                .execute(Tuple.of(item.workspace(), array))
                                .call(() -> JourneyRepository.erased(tx, item.workspace()))
                                .chain(memberships -> erasureId == null ? Uni.createFrom().voidItem()
                                        : tx.preparedQuery("insert into erasure_report (erasure_id, workspace_id, removed)"
                                                        + " values ($1, $2, $3::text::jsonb) on conflict do nothing")
                                        .execute(Tuple.of(erasureId, item.workspace(), new JsonObject()
                                                .put("touches", touches.rowCount()).put("memberships", memberships.rowCount()).encode()))
                                        .replaceWithVoid()))
                        .chain(() -> tx.preparedQuery("select set_config('closedloop.erasing', 'off', true)").execute())
                        .replaceWithVoid();
            }));
        }
        return chain;
    }

    /** The account key an erased person's B2C opportunities keep: pseudonymous, one per erasure. */
    public static String erasedAccount(String erasureId) {
        return "erased:" + erasureId;
    }

    /** The erasure's identifiers as "type:value". */
    public static Set<String> identifiers(FeedItem item) {
        Set<String> keys = new LinkedHashSet<>();
        JsonArray given = item.payload().getJsonArray("identifiers", new JsonArray());
        for (int i = 0; i < given.size(); i++) {
            JsonObject identifier = given.getJsonObject(i);
            if (identifier != null && identifier.getString("type") != null && identifier.getString("value") != null) {
                keys.add(FeedApplyService.identifierKey(identifier));
            }
        }
        return keys;
    }

    /**
     * These identifiers and every identifier of the persons they belong to here (identity named them all; a membership
     * that reached this service later than the erasure's resolution is caught this way).
     */
    public Uni<Set<String>> personIdentifiers(SqlConnection tx, String workspace, Set<String> identifiers) {
        return tx.preparedQuery("""
                        select identifier from membership where workspace_id = $1 and person_id in
                            (select person_id from membership where workspace_id = $1 and identifier = any($2) and person_id is not null)""")
                .execute(Tuple.of(workspace, identifiers.toArray(new String[0])))
                .map(rows -> {
                    Set<String> all = new LinkedHashSet<>(identifiers);
                    rows.forEach(r -> all.add(r.getString(0)));
                    return all;
                });
    }

    public Uni<List<Report>> reports(Pool pool) {
        return pool.query("select erasure_id, workspace_id, removed::text from erasure_report limit 100").execute().map(rows -> {
            List<Report> out = new ArrayList<>();
            rows.forEach(r -> out.add(new Report(r.getString(0), r.getString(1), new JsonObject(r.getString(2)))));
            return out;
        });
    }

    public Uni<Void> reported(Pool pool, String erasureId) {
        return pool.preparedQuery("delete from erasure_report where erasure_id = $1").execute(Tuple.of(erasureId)).replaceWithVoid();
    }
}
