package io.closedloop.ingestion.config;

import io.closedloop.ingestion.privacy.Tombstones;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Ingestion's secret for erasure tombstones ({@code closedloop.privacy.key}, environment {@code CLOSEDLOOP_PRIVACY_KEY}:
 * at least 32 characters, from a Kubernetes secret; the run command generates one). Only ingestion holds it. Changing it
 * forgets every tombstone (an erased identifier would be accepted again), so it is kept like a database password.
 */
public class PrivacyKey {

    @Produces
    @ApplicationScoped
    Tombstones tombstones(@ConfigProperty(name = "closedloop.privacy.key") String key) {
        return new Tombstones(key);
    }
}
