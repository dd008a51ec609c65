package io.closedloop.attribution.repository;

import io.closedloop.attribution.AttributionSettings;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
@WithSession
public class AttributionSettingsRepository implements PanacheRepositoryBase<AttributionSettings, String> {
}
