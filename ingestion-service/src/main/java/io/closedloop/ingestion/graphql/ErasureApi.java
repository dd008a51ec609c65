package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.service.ErasureService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import java.time.OffsetDateTime;
import java.util.List;

/** Erasure of a person (GDPR/CCPA, DESIGN §6): role admin. */
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

    @Name("Erasure")
    @Description("A recorded erasure: what ingestion deleted, and the tombstone every consumer applies from the erasures feed.")
    public record ErasureDto(@NonNull List<@NonNull String> identifiers, long touchesDeleted, long identityFactsDeleted,
                             long contactsDeleted, @NonNull OffsetDateTime requestedAt) {
    }

    @Mutation
    @Description("Erases a person by any of their identifiers (role admin): deletes the touches, identity facts and CRM contacts "
            + "that name them here and publishes a tombstone on the erasures feed for the other services.")
    public Uni<@NonNull ErasureDto> erasePerson(@NonNull List<@NonNull IdentifierInput> identifiers) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        if (identifiers.isEmpty() || identifiers.size() > 100) {
            throw new IllegalArgumentException("erasePerson.identifiers: give 1 to 100 identifiers");
        }
        List<String[]> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < identifiers.size(); i++) {
            pairs.add(ErasureService.normalize(identifiers.get(i).type(), identifiers.get(i).value(), "erasePerson.identifiers[" + i + "]"));
        }
        return erasures.erase(workspace, pairs).map(r -> new ErasureDto(pairs.stream().map(p -> p[0] + ":" + p[1]).toList(),
                r.touches(), r.facts(), r.contacts(), r.requestedAt()));
    }
}
