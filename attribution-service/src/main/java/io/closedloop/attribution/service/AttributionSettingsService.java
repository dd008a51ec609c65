package io.closedloop.attribution.service;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.repository.AttributionSettingsRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AttributionSettingsService {

    private final AttributionSettingsRepository settings;

    public AttributionSettingsService(AttributionSettingsRepository settings) {
        this.settings = settings;
    }

    /** The workspace's settings, or the defaults when it never changed them. */
    public Uni<AttributionSettings> get(String workspace) {
        return settings.find(workspace).map(s -> s != null ? s : AttributionSettings.defaults(workspace));
    }

    /** Changes the given settings; a null argument keeps the current value. */
    public Uni<AttributionSettings> update(String workspace, Integer lookbackDays, Double halfLifeDays, JourneyScope scope) {
        return settings.update(workspace, lookbackDays, halfLifeDays, scope);
    }
}
