package io.closedloop.gateway.graphql;

import io.closedloop.gateway.client.AnswerCache;
import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.client.SubgraphClient.Subgraph;
import io.closedloop.gateway.graphql.ReportTypes.JourneyScope;
import io.closedloop.gateway.graphql.ReportTypes.TouchType;
import io.closedloop.plumbing.tenancy.Caller;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;
import java.util.Map;

/** The workspace's configuration as the subgraphs hold it, under the public schema. */
@GraphQLApi
public class SettingsApi {

    private final SubgraphClient subgraphs;
    private final AnswerCache answers;
    private final Caller caller;

    public SettingsApi(SubgraphClient subgraphs, AnswerCache answers, Caller caller) {
        this.subgraphs = subgraphs;
        this.answers = answers;
        this.caller = caller;
    }

    @Query
    @Description("The Segment write keys of the caller's workspace (role admin). From ingestion-service.")
    public Uni<List<@NonNull WriteKey>> writeKeys() {
        return subgraphs.query(Subgraph.INGESTION, "{ writeKeys { id name key createdAt revokedAt } }", Map.of(), caller.rawToken())
                .map(data -> data.getJsonArray("writeKeys").stream()
                        .map(o -> ((io.vertx.core.json.JsonObject) o).mapTo(WriteKey.class))
                        .toList());
    }

    @Query
    @Description("Identity resolution settings of the caller's workspace. From identity-service.")
    public Uni<@NonNull IdentitySettings> identitySettings() {
        return subgraphs.query(Subgraph.IDENTITY, "{ identitySettings { explosionGuardLimit updatedAt } }", Map.of(), caller.rawToken())
                .map(data -> data.getJsonObject("identitySettings").mapTo(IdentitySettings.class));
    }

    @Query
    @Description("Attribution defaults of the caller's workspace. From attribution-service.")
    public Uni<@NonNull AttributionSettings> attributionSettings() {
        return subgraphs.query(Subgraph.ATTRIBUTION, "{ attributionSettings { lookbackDays halfLifeDays journeyScope updatedAt } }",
                        Map.of(), caller.rawToken())
                .map(data -> data.getJsonObject("attributionSettings").mapTo(AttributionSettings.class));
    }

    @Query
    @Description("The touch types sourcedInfluenced and pipelineInfluence count as marketing (the workspace's, or the "
            + "default). From attribution-service.")
    public Uni<@NonNull List<@NonNull TouchType>> marketingTouchTypes() {
        return subgraphs.query(Subgraph.ATTRIBUTION, "{ marketingTouchTypes }", Map.of(), caller.rawToken())
                .map(data -> touchTypes(data.getJsonArray("marketingTouchTypes")));
    }

    @Mutation
    @Description("Sets the touch types counted as marketing (role admin). Returns the stored list. From attribution-service.")
    public Uni<@NonNull List<@NonNull TouchType>> updateMarketingTouchTypes(@NonNull List<@NonNull TouchType> types) {
        return subgraphs.query(Subgraph.ATTRIBUTION, "mutation($types: [TouchType!]!) { updateMarketingTouchTypes(types: $types) }",
                        Map.of("types", types.stream().map(TouchType::name).toList()), caller.rawToken())
                .map(data -> touchTypes(data.getJsonArray("updateMarketingTouchTypes")))
                // sourcedInfluenced and pipelineInfluence count by these types: no report answer from before stays.
                .invoke(answers::clear);
    }

    private static List<TouchType> touchTypes(io.vertx.core.json.JsonArray values) {
        return values.stream().map(v -> TouchType.valueOf(String.valueOf(v))).toList();
    }

    @Description("A Segment write key. Tracking libraries send it as the HTTP Basic user name.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record WriteKey(
            @NonNull String id,
            @Description("A name to tell keys apart.") String name,
            @Description("The key itself.") String key,
            String createdAt,
            @Description("When the key was revoked; null while active.") String revokedAt) {
    }

    @Description("How identity resolution behaves in the caller's workspace.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record IdentitySettings(
            @Description("An identifier that would merge more persons than this is quarantined instead.") int explosionGuardLimit,
            String updatedAt) {
    }

    @Description("The caller's workspace's attribution defaults; reports may override them per query.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record AttributionSettings(
            @Description("Touches up to this many days before an opportunity's creation count for it.") int lookbackDays,
            @Description("The time-decay model's half-life in days.") double halfLifeDays,
            @Description("Whose touches make up a journey.") JourneyScope journeyScope,
            String updatedAt) {
    }
}
