package io.closedloop.identity.graphql;

import io.closedloop.identity.IdentitySettings;
import io.closedloop.identity.service.IdentitySettingsService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.smallrye.graphql.api.federation.link.Import;
import io.smallrye.graphql.api.federation.link.Link;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

@GraphQLApi
// Federation v2 (DESIGN §9): without a @link to the spec the subgraph SDL reads as Federation v1 and does not compose.
@Link(url = Link.FEDERATION_SPEC_LATEST_URL, _import = {@Import(name = "@key"), @Import(name = "@shareable")})
public class IdentitySettingsApi {

    private final IdentitySettingsService settings;
    private final Caller caller;

    public IdentitySettingsApi(IdentitySettingsService settings, Caller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @Query
    @Description("Identity resolution settings of the caller's workspace.")
    public Uni<@NonNull IdentitySettings> identitySettings() {
        return settings.get(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }

    @Mutation
    @Description("Changes the identity resolution settings of the caller's workspace.")
    public Uni<@NonNull IdentitySettings> updateIdentitySettings(
            @NonNull @Description("At least 2.") Integer explosionGuardLimit) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        if (explosionGuardLimit < 2) {
            throw new IllegalArgumentException("updateIdentitySettings.explosionGuardLimit: must be at least 2, was " + explosionGuardLimit);
        }
        return settings.update(workspace, explosionGuardLimit);
    }
}
