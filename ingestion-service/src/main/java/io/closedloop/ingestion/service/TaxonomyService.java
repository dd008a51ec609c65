package io.closedloop.ingestion.service;

import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.ingestion.taxonomy.TaxonomyException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each workspace's channel taxonomy (the default until an admin changes it), cached for a few
 * seconds so the Segment path does not read it per request; an update through this replica takes
 * effect at once, on other replicas within {@link #TTL_NANOS}.
 */
@ApplicationScoped
public class TaxonomyService {

    static final long TTL_NANOS = 5_000_000_000L;

    /** A stored taxonomy and when it was last changed (null for the default). */
    public record Stored(ChannelTaxonomy taxonomy, OffsetDateTime updatedAt) {
    }

    private record Entry(Stored stored, long expiresAt) {
    }

    private final Pool pool;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public TaxonomyService(Pool pool) {
        this.pool = pool;
    }

    public Uni<ChannelTaxonomy> forWorkspace(String workspace) {
        return get(workspace).map(Stored::taxonomy);
    }

    public Uni<Stored> get(String workspace) {
        Entry e = cache.get(workspace);
        long now = System.nanoTime();
        if (e != null && e.expiresAt - now > 0) {
            return Uni.createFrom().item(e.stored);
        }
        return pool.preparedQuery("select rules::text, updated_at from channel_taxonomy where workspace_id = $1")
                .execute(Tuple.of(workspace))
                .map(rows -> {
                    Stored stored = new Stored(ChannelTaxonomy.DEFAULT, null);
                    for (Row row : rows) {
                        try {
                            stored = new Stored(ChannelTaxonomy.fromMaps(maps(new JsonArray(row.getString(0)))), row.getOffsetDateTime(1));
                        } catch (TaxonomyException invalid) {
                            // Rules saved before channel rules were RE2 (a lookaround, a backreference) no longer compile:
                            // classify with the default until an admin saves rules again, rather than refuse every event.
                            Log.warnf("workspace %s: its channel rules no longer compile (%s); the default taxonomy applies"
                                    + " until they are saved again", workspace, invalid.getMessage());
                        }
                    }
                    if (cache.size() > 10_000) {
                        cache.clear();
                    }
                    cache.put(workspace, new Entry(stored, System.nanoTime() + TTL_NANOS));
                    return stored;
                });
    }

    /** Replaces the workspace's rules (already validated by {@link ChannelTaxonomy#fromMaps}); null rules restore the default. */
    public Uni<Stored> update(String workspace, ChannelTaxonomy taxonomy) {
        Uni<Stored> write;
        if (taxonomy == null) {
            write = pool.preparedQuery("delete from channel_taxonomy where workspace_id = $1").execute(Tuple.of(workspace))
                    .map(r -> new Stored(ChannelTaxonomy.DEFAULT, null));
        } else {
            JsonArray json = new JsonArray();
            taxonomy.toMaps().forEach(m -> json.add(new JsonObject(new LinkedHashMap<>(m))));
            write = pool.preparedQuery("insert into channel_taxonomy (workspace_id, rules, updated_at) values ($1, $2::text::jsonb, now())"
                            + " on conflict (workspace_id) do update set rules = excluded.rules, updated_at = excluded.updated_at"
                            + " returning updated_at")
                    .execute(Tuple.of(workspace, json.encode()))
                    .map(rows -> new Stored(taxonomy, rows.iterator().next().getOffsetDateTime(0)));
        }
        return write.invoke(stored -> cache.put(workspace, new Entry(stored, System.nanoTime() + TTL_NANOS)));
    }

    static List<Map<String, String>> maps(JsonArray array) {
        List<Map<String, String>> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonObject o = array.getJsonObject(i);
            Map<String, String> m = new LinkedHashMap<>();
            o.forEach(e -> m.put(e.getKey(), e.getValue() == null ? null : e.getValue().toString()));
            out.add(m);
        }
        return out;
    }
}
