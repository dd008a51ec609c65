package io.closedloop.attribution.graphql;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.service.AttributionSettingsService;
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
// @key: the entities Opportunity, Account and Person; @shareable: PageInfo; @inaccessible: the entity lookups (EntitiesApi).
@Link(url = Link.FEDERATION_SPEC_LATEST_URL, _import = {@Import(name = "@key"), @Import(name = "@shareable"),
        @Import(name = "@inaccessible")})
public class AttributionSettingsApi {

    private final AttributionSettingsService settings;
    private final Caller caller;

    public AttributionSettingsApi(AttributionSettingsService settings, Caller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @Query
    @Description("Attribution defaults of the caller's workspace.")
    public Uni<@NonNull AttributionSettings> attributionSettings() {
        return settings.get(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }

    @Mutation
    @Description("Changes the attribution defaults of the caller's workspace; omitted arguments keep their value.")
    public Uni<@NonNull AttributionSettings> updateAttributionSettings(
            @Description("1 to 3650.") Integer lookbackDays,
            @Description("Greater than 0.") Double halfLifeDays,
            JourneyScope journeyScope) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        if (lookbackDays != null && (lookbackDays < 1 || lookbackDays > 3650)) {
            throw new IllegalArgumentException("updateAttributionSettings.lookbackDays: must be 1 to 3650, was " + lookbackDays);
        }
        if (halfLifeDays != null && !(halfLifeDays > 0 && Double.isFinite(halfLifeDays))) {
            throw new IllegalArgumentException("updateAttributionSettings.halfLifeDays: must be greater than 0, was " + halfLifeDays);
        }
        return settings.update(workspace, lookbackDays, halfLifeDays, journeyScope);
    }
}
