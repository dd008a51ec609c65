package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.service.ErasureService;
import io.closedloop.ingestion.service.PrivacySettingsService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

/** A workspace's privacy settings (DESIGN §6, README "Privacy"): role admin. */
@GraphQLApi
public class PrivacyApi {

    private final PrivacySettingsService settings;
    private final Caller caller;

    public PrivacyApi(PrivacySettingsService settings, Caller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @Name("PrivacySettings")
    @Description("hashIdentifiers: emails and phones are stored and matched as keyed hashes (the email's domain is kept), and"
            + " traits such as email, phone and names, and email and phone parameters of URLs, are redacted from raw payloads.")
    public record PrivacySettings(boolean hashIdentifiers) {
    }

    @Query
    @Description("The workspace's privacy settings (role admin).")
    public Uni<@NonNull PrivacySettings> privacySettings() {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return settings.current(workspace).map(PrivacySettings::new);
    }

    @Query
    @Description("An identifier as this workspace stores it (role admin): with hashIdentifiers on, an email or phone is its keyed"
            + " hash (look persons up in identity with this form); otherwise the normalized value.")
    public Uni<@NonNull String> storedIdentifier(@NonNull ErasureApi.IdentifierInput identifier) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        Identifier normalized = ErasureService.normalize(identifier.type(), identifier.value(), "storedIdentifier.identifier");
        return settings.current(workspace).map(on -> settings.hashing(workspace, on)
                .map(h -> normalized.type().equals(Identifier.EMAIL) ? h.email(normalized.value())
                        : normalized.type().equals(Identifier.PHONE) ? h.phone(normalized.value()) : normalized.value())
                .orElse(normalized.value()));
    }

    @Mutation
    @Description("Sets hashIdentifiers (role admin); it can only change while the workspace holds no touch, identity fact or contact.")
    public Uni<@NonNull PrivacySettings> updatePrivacySettings(boolean hashIdentifiers) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return settings.update(workspace, hashIdentifiers).map(PrivacySettings::new);
    }
}
