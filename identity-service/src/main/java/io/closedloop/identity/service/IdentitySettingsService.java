package io.closedloop.identity.service;

import io.closedloop.identity.IdentitySettings;
import io.closedloop.identity.repository.IdentitySettingsRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class IdentitySettingsService {

    private final IdentitySettingsRepository settings;

    public IdentitySettingsService(IdentitySettingsRepository settings) {
        this.settings = settings;
    }

    /** The workspace's settings, or the defaults when it never changed them. */
    public Uni<IdentitySettings> get(String workspace) {
        return settings.find(workspace).map(s -> s != null ? s : IdentitySettings.defaults(workspace));
    }

    public Uni<IdentitySettings> update(String workspace, int explosionGuardLimit) {
        return settings.update(workspace, explosionGuardLimit);
    }
}
