package io.closedloop.identity.repository;

import io.closedloop.identity.IdentitySettings;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
@WithSession
public class IdentitySettingsRepository implements PanacheRepositoryBase<IdentitySettings, String> {
}
