package io.closedloop.identity.graphql;

import io.closedloop.identity.graphql.IdentityTypes.IdentifierView;
import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

// A top-level class named like its GraphQL type: SmallRye's _entities resolves an entity's type by its class.
@Type("Person")
@Key(fields = @FieldSet("id"))
@Description("A person: a connected component of the identity graph.")
public record Person(@NonNull @Id String id,
                     @Description("CRM account id, else domain:<registered domain>, else a group call's id; null when unassigned.") String accountId,
                     @Description("Several accounts matched at the same rank, so none was chosen.") boolean ambiguous,
                     boolean quarantined,
                     @NonNull List<@NonNull IdentifierView> identifiers) {
}
