package io.closedloop.identity.graphql;

import io.closedloop.identity.graphql.IdentityTypes.AccountIdentifierView;
import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

// A top-level class named like its GraphQL type: SmallRye's _entities resolves an entity's type by its class.
@Type("Account")
@Key(fields = @FieldSet("id"))
@Description("An account (CRM account, domain:<domain> or a group call's id) and the persons resolved to it.")
public record Account(@NonNull @Id String id, String name, @NonNull List<@NonNull String> domains,
                      @Description("Its contacts: the persons resolved to it (first 1,000 by id).") @NonNull List<@NonNull Person> persons,
                      @Description("Every identifier of its persons with the person it belongs to (first 10,000, earliest first).")
                      @NonNull List<@NonNull AccountIdentifierView> identifiers) {
}
