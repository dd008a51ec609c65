package io.closedloop.gateway.graphql;

import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.client.SubgraphClient.Subgraph;
import io.closedloop.plumbing.tenancy.Caller;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;
import java.util.Map;

/**
 * Erasure of a person and the privacy settings (DESIGN §6, README "Privacy") under the public schema: forwarded to
 * ingestion-service, which runs the job; never answered from the answer cache.
 */
@GraphQLApi
public class PrivacyApi {

    private static final String ERASURE = "{ id state requestedAt finishedAt services { service state reason chunks removed { kind count } } }";

    private final SubgraphClient subgraphs;
    private final Caller caller;

    public PrivacyApi(SubgraphClient subgraphs, Caller caller) {
        this.subgraphs = subgraphs;
        this.caller = caller;
    }

    @Mutation
    @Description("Erases the person any of these identifiers belongs to (role admin), in every service: every identifier of the"
            + " person, their touches (anonymous ones from before they identified too), identity facts and graph, and derived rows."
            + " Returns the job at once; follow it with erasure(id). The same identifiers again return the same job."
            + " From ingestion-service.")
    public Uni<@NonNull Erasure> erasePerson(@NonNull List<@NonNull IdentifierInput> identifiers) {
        List<Map<String, Object>> given = identifiers.stream().map(i -> Map.<String, Object>of("type", i.type(), "value", i.value())).toList();
        return subgraphs.query(Subgraph.INGESTION, "mutation($ids: [IdentifierInput!]!) { erasePerson(identifiers: $ids) " + ERASURE + " }",
                        Map.of("ids", given), caller.rawToken())
                .map(data -> data.getJsonObject("erasePerson").mapTo(Erasure.class));
    }

    @Query
    @Description("An erasure job by id (role admin): its state per service and what each removed (counts, never values); null when"
            + " the workspace has none with this id. From ingestion-service.")
    public Uni<Erasure> erasure(@Id @NonNull String id) {
        return subgraphs.query(Subgraph.INGESTION, "query($id: ID!) { erasure(id: $id) " + ERASURE + " }", Map.of("id", id), caller.rawToken())
                .map(data -> {
                    JsonObject job = data.getJsonObject("erasure");
                    return job == null ? null : job.mapTo(Erasure.class);
                });
    }

    @Query
    @Description("The workspace's privacy settings (role admin). From ingestion-service.")
    public Uni<@NonNull PrivacySettings> privacySettings() {
        return subgraphs.query(Subgraph.INGESTION, "{ privacySettings { hashIdentifiers } }", Map.of(), caller.rawToken())
                .map(data -> data.getJsonObject("privacySettings").mapTo(PrivacySettings.class));
    }

    @Query
    @Description("An identifier as the workspace stores it (role admin): with hashIdentifiers on, an email or phone is its keyed"
            + " hash. From ingestion-service.")
    public Uni<@NonNull String> storedIdentifier(@NonNull IdentifierInput identifier) {
        return subgraphs.query(Subgraph.INGESTION, "query($id: IdentifierInput!) { storedIdentifier(identifier: $id) }",
                        Map.of("id", Map.of("type", identifier.type(), "value", identifier.value())), caller.rawToken())
                .map(data -> data.getString("storedIdentifier"));
    }

    @Mutation
    @Description("Sets hashIdentifiers (role admin): emails and phones stored and matched as keyed hashes (the email's domain kept),"
            + " personal fields of raw payloads redacted; only while the workspace holds no data. From ingestion-service.")
    public Uni<@NonNull PrivacySettings> updatePrivacySettings(boolean hashIdentifiers) {
        return subgraphs.query(Subgraph.INGESTION, "mutation($on: Boolean!) { updatePrivacySettings(hashIdentifiers: $on) { hashIdentifiers } }",
                        Map.of("on", hashIdentifiers), caller.rawToken())
                .map(data -> data.getJsonObject("updatePrivacySettings").mapTo(PrivacySettings.class));
    }

    @Name("IdentifierInput")
    @Description("An identifier: type is anonymous_id, user_id, email, phone or contact_id; the value is normalized.")
    public record IdentifierInput(@NonNull String type, @NonNull String value) {
    }

    @Name("ErasureState")
    @Description("PENDING: under way; DONE: nothing of the person is left; FAILED: a step failed (see reason) and is retried.")
    public enum ErasureState { PENDING, DONE, FAILED }

    @Description("How many rows of one kind a service removed or cleared (counts only, never values).")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record RemovedCount(@NonNull String kind, long count) {
    }

    @Description("One service's part of an erasure: its state, the reason of a failure, what it removed, in how many committed chunks.")
    @RegisterForReflection
    public record ErasureServiceReport(@NonNull String service, @NonNull ErasureState state, String reason,
                                       @NonNull List<@NonNull RemovedCount> removed, int chunks) {
    }

    @Description("An erasure job: the person of the given identifiers is removed from every service.")
    @RegisterForReflection
    public record Erasure(@Id @NonNull String id, @NonNull ErasureState state, @NonNull String requestedAt, String finishedAt,
                          @NonNull List<@NonNull ErasureServiceReport> services) {
    }

    @Description("hashIdentifiers: emails and phones are stored and matched as keyed hashes (the email's domain is kept), and traits"
            + " such as email, phone and names, and email and phone parameters of URLs, are redacted from raw payloads.")
    @RegisterForReflection
    public record PrivacySettings(boolean hashIdentifiers) {
    }
}
