package io.closedloop.identity.graphql;

import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

/** The GraphQL types of the identity subgraph. */
public final class IdentityTypes {

    private IdentityTypes() {
    }

    @Input("IdentifierInput")
    @Description("An identifier: type is anonymous_id, user_id, email, phone or contact_id; the value is normalized.")
    public static class IdentifierInput {
        @NonNull
        public String type;
        @NonNull
        public String value;
    }

    @Type("Identifier")
    @Description("An identifier of a person.")
    public record IdentifierView(@NonNull String type, @NonNull String value,
                                 @Description("Tripped the explosion guard: joins nothing.") boolean quarantined) {
    }

    @Type("Person")
    @Key(fields = @FieldSet("id"))
    @Description("A person: a connected component of the identity graph.")
    public record PersonView(@NonNull @Id String id,
                             @Description("CRM account id, else domain:<registered domain>, else a group call's id; null when unassigned.") String accountId,
                             @Description("Several accounts matched at the same rank, so none was chosen.") boolean ambiguous,
                             boolean quarantined,
                             @NonNull List<@NonNull IdentifierView> identifiers) {
    }

    @Type("Account")
    @Key(fields = @FieldSet("id"))
    @Description("An account (CRM account, domain:<domain> or a group call's id) and the persons resolved to it.")
    public record AccountView(@NonNull @Id String id, String name, @NonNull List<@NonNull String> domains,
                              @NonNull List<@NonNull PersonView> persons) {
    }

    @Type("QuarantinedIdentifier")
    @Description("An identifier the explosion guard stopped from merging persons.")
    public record QuarantinedView(@NonNull String type, @NonNull String value,
                                  @Description("How many persons it would have joined.") int personsJoined) {
    }

    @Type("IdentityStats")
    @Description("Data-quality figures of the caller's identity graph.")
    public record StatsView(long persons, long unassignedPersons, long ambiguousPersons, long quarantinedIdentifiers) {
    }
}
