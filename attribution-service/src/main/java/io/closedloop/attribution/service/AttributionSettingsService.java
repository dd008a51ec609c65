package io.closedloop.attribution.service;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.repository.AttributionSettingsRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

@ApplicationScoped
public class AttributionSettingsService {

    private final AttributionSettingsRepository settings;

    public AttributionSettingsService(AttributionSettingsRepository settings) {
        this.settings = settings;
    }

    /** The workspace's settings, or the defaults when it never changed them. */
    public Uni<AttributionSettings> get(String workspace) {
        return settings.findById(workspace).map(s -> s != null ? s : AttributionSettings.defaults(workspace));
    }

    /** Changes the given settings; a null argument keeps the current value. */
    @WithTransaction
    public Uni<AttributionSettings> update(String workspace, Integer lookbackDays, Double halfLifeDays, JourneyScope scope) {
        return settings.findById(workspace).chain(existing -> {
            AttributionSettings s = existing != null ? existing : AttributionSettings.defaults(workspace);
            if (lookbackDays != null) {
                s.lookbackDays = lookbackDays;
            }
            if (halfLifeDays != null) {
                s.halfLifeDays = halfLifeDays;
            }
            if (scope != null) {
                s.journeyScope = scope;
            }
            s.updatedAt = OffsetDateTime.now();
            return existing != null ? Uni.createFrom().item(s) : settings.persist(s);
        });
    }
}
