package io.closedloop.attribution.service;

import io.closedloop.plumbing.feed.FeedItem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies ingestion's `erasures` (docs/feeds.md): removes what this service holds of the person
 * the identifiers belong to: the touches carrying any of the person's identifiers, and the
 * person's memberships. The person's other identifiers are found through the memberships still
 * held (identity may already have sent `removed` for some; the erasure's own identifiers always
 * count). CRM contacts here hold no personal data (id, account, lead time) and stay.
 */
@ApplicationScoped
public class ErasureApplyService {

    public Uni<Void> applyErasures(SqlConnection tx, List<FeedItem> items) {
        Map<String, Set<String>> byWorkspace = new LinkedHashMap<>();
        for (FeedItem item : items) {
            byWorkspace.computeIfAbsent(item.workspace(), w -> new LinkedHashSet<>()).addAll(identifiers(item));
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, Set<String>> e : byWorkspace.entrySet()) {
            chain = chain.chain(() -> personIdentifiers(tx, e.getKey(), e.getValue()).chain(all -> {
                String[] array = all.toArray(new String[0]);
                return tx.preparedQuery("delete from touch where workspace_id = $1 and identifiers && $2")
                        .execute(Tuple.of(e.getKey(), array))
                        .chain(() -> tx.preparedQuery("delete from membership where workspace_id = $1 and identifier = any($2)")
                                .execute(Tuple.of(e.getKey(), array)))
                        .replaceWithVoid();
            }));
        }
        return chain;
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

    /** These identifiers and every identifier of the persons they belong to. */
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
}
