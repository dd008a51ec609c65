package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.repository.ErasureRepository.Job;
import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.service.ErasureService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Erasure of a person (GDPR/CCPA, DESIGN §6, README "Privacy"): role admin. */
@GraphQLApi
public class ErasureApi {

    private final ErasureService erasures;
    private final Caller caller;

    public ErasureApi(ErasureService erasures, Caller caller) {
        this.erasures = erasures;
        this.caller = caller;
    }

    @Name("IdentifierInput")
    // Same description as identity-service's IdentifierInput: Federation composition flags differing ones (INCONSISTENT_DESCRIPTION).
    @Description("An identifier: type is anonymous_id, user_id, email, phone or contact_id; the value is normalized.")
    public record IdentifierInput(@NonNull String type, @NonNull String value) {
    }

    @Name("ErasureState")
    @Description("PENDING: under way; DONE: nothing of the person is left; FAILED: a step failed (see reason) and is retried.")
    public enum State { PENDING, DONE, FAILED }

    @Name("RemovedCount")
    @Description("How many rows of one kind a service removed or cleared (counts only, never values).")
    public record RemovedCount(@NonNull String kind, long count) {
    }

    @Name("ErasureServiceReport")
    @Description("One service's part of an erasure: its state, the reason of a failure, what it removed, in how many committed chunks.")
    public record ServiceReport(@NonNull String service, @NonNull State state, String reason, @NonNull List<@NonNull RemovedCount> removed,
                                int chunks) {
    }

    @Name("Erasure")
    @Description("An erasure job: the person of the given identifiers is removed from every service; the report names counts, never values.")
    public record ErasureDto(@Id @NonNull String id, @NonNull State state, @NonNull OffsetDateTime requestedAt, OffsetDateTime finishedAt,
                             @NonNull List<@NonNull ServiceReport> services) {
    }

    @Mutation
    @Description("Erases the person any of these identifiers belongs to (role admin): every identifier of the person, their touches "
            + "(anonymous ones from before they identified too), identity facts, graph and derived rows in every service. Returns the "
            + "job at once; follow it with erasure(id). The same identifiers again return the same job.")
    public Uni<@NonNull ErasureDto> erasePerson(@NonNull List<@NonNull IdentifierInput> identifiers) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        if (identifiers.isEmpty() || identifiers.size() > 100) {
            throw new IllegalArgumentException("erasePerson.identifiers: give 1 to 100 identifiers");
        }
        List<Identifier> normalized = new ArrayList<>();
        for (int i = 0; i < identifiers.size(); i++) {
            normalized.add(ErasureService.normalize(identifiers.get(i).type(), identifiers.get(i).value(), "erasePerson.identifiers[" + i + "]"));
        }
        return erasures.request(workspace, normalized).map(ErasureApi::dto);
    }

    @Query
    @Description("An erasure job by id (role admin); null when the workspace has none with this id.")
    public Uni<ErasureDto> erasure(@Id @NonNull String id) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return erasures.find(workspace, id).map(job -> job == null ? null : dto(job));
    }

    static ErasureDto dto(Job job) {
        List<ServiceReport> services = new ArrayList<>();
        boolean failed = false;
        for (String service : ErasureService.SERVICES) {
            JsonObject r = job.reports().getJsonObject(service, new JsonObject());
            State state = State.valueOf(r.getString("state", "PENDING"));
            failed |= state == State.FAILED;
            List<RemovedCount> removed = new ArrayList<>();
            JsonObject counts = r.getJsonObject("removed", new JsonObject());
            counts.fieldNames().stream().sorted().forEach(k -> removed.add(new RemovedCount(k, counts.getLong(k))));
            services.add(new ServiceReport(service, state, r.getString("reason"), removed, r.getInteger("chunks", 0)));
        }
        State state = job.stage().equals("DONE") ? State.DONE : failed ? State.FAILED : State.PENDING;
        return new ErasureDto(job.id(), state, job.requestedAt(), job.finishedAt(), services);
    }
}
