package io.closedloop.attribution.repository;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The attribution_settings table through the reactive SQL client: every statement stands alone, so the root fields
 * of one GraphQL document, which SmallRye resolves concurrently on one Vert.x context, can each read settings
 * (a Hibernate Reactive session bound to that context cannot be used by two of them at once: quarkus#32870).
 */
@ApplicationScoped
public class AttributionSettingsRepository {

    private static final String COLUMNS = "workspace_id, lookback_days, half_life_days, journey_scope, updated_at";

    private final Pool pool;

    public AttributionSettingsRepository(Pool pool) {
        this.pool = pool;
    }

    /** The workspace's stored settings, or null when it never changed them. */
    public Uni<AttributionSettings> find(String workspace) {
        return pool.preparedQuery("select " + COLUMNS + " from attribution_settings where workspace_id = $1")
                .execute(Tuple.of(workspace)).map(AttributionSettingsRepository::first);
    }

    /** Stores the given settings (null keeps the stored value, or the default for a workspace without a row). */
    public Uni<AttributionSettings> update(String workspace, Integer lookbackDays, Double halfLifeDays, JourneyScope scope) {
        return pool.preparedQuery("""
                        insert into attribution_settings as s (workspace_id, lookback_days, half_life_days, journey_scope, updated_at)
                        values ($1, coalesce($2, $5), coalesce($3, $6), coalesce($4, $7), now())
                        on conflict (workspace_id) do update set lookback_days = coalesce($2, s.lookback_days),
                            half_life_days = coalesce($3, s.half_life_days), journey_scope = coalesce($4, s.journey_scope),
                            updated_at = now()
                        returning\s""" + COLUMNS)
                .execute(Tuple.tuple().addString(workspace).addInteger(lookbackDays).addDouble(halfLifeDays)
                        .addString(scope == null ? null : scope.name()).addInteger(AttributionSettings.DEFAULT_LOOKBACK_DAYS)
                        .addDouble(AttributionSettings.DEFAULT_HALF_LIFE_DAYS).addString(JourneyScope.ACCOUNT.name()))
                .map(AttributionSettingsRepository::first);
    }

    private static AttributionSettings first(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row r = rows.iterator().next();
        AttributionSettings s = AttributionSettings.defaults(r.getString("workspace_id"));
        s.lookbackDays = r.getInteger("lookback_days");
        s.halfLifeDays = r.getDouble("half_life_days");
        s.journeyScope = JourneyScope.valueOf(r.getString("journey_scope"));
        s.updatedAt = r.getOffsetDateTime("updated_at");
        return s;
    }
}
