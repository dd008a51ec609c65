package io.closedloop.attribution.graphql;

import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/**
 * The federated Person (DESIGN §9) as attribution-service contributes to it: its touches (EntitiesApi); identity owns the
 * rest. Just the key: the fields do the work, in batches. A top-level class named like its GraphQL type: SmallRye's
 * _entities finds an entity's type by its class. No type description: the subgraphs sharing the type would have to
 * describe it alike.
 */
@Type("Person")
@Key(fields = @FieldSet("id"))
public record Person(@NonNull @Id String id) {
}
