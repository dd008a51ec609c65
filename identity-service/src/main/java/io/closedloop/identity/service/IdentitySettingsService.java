package io.closedloop.identity.service;

import io.closedloop.identity.IdentitySettings;
import io.closedloop.identity.repository.IdentitySettingsRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

@ApplicationScoped
public class IdentitySettingsService {

    private final IdentitySettingsRepository settings;

    public IdentitySettingsService(IdentitySettingsRepository settings) {
        this.settings = settings;
    }

    /** The workspace's settings, or the defaults when it never changed them. */
    public Uni<IdentitySettings> get(String workspace) {
        return settings.findById(workspace).map(s -> s != null ? s : IdentitySettings.defaults(workspace));
    }

    @WithTransaction
    public Uni<IdentitySettings> update(String workspace, int explosionGuardLimit) {
        return settings.findById(workspace).chain(existing -> {
            IdentitySettings s = existing != null ? existing : IdentitySettings.defaults(workspace);
            s.explosionGuardLimit = explosionGuardLimit;
            s.updatedAt = OffsetDateTime.now();
            return existing != null ? Uni.createFrom().item(s) : settings.persist(s);
        });
    }
}
