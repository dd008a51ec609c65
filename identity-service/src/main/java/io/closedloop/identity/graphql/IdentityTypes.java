package io.closedloop.identity.graphql;

import org.eclipse.microprofile.graphql.Description;
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

    @Type("AccountIdentifier")
    @Description("An identifier of one of an account's persons.")
    public record AccountIdentifierView(@NonNull String type, @NonNull String value, @NonNull String personId,
                                        @Description("Tripped the explosion guard: joins nothing.") boolean quarantined) {
    }

    @Type("QuarantinedIdentifier")
    @Description("An identifier the explosion guard stopped from merging persons.")
    public record QuarantinedView(@NonNull String type, @NonNull String value,
                                  @Description("How many persons its links tie it to (all it would have merged), counted now.") int personsJoined) {
    }

    @Type("IdentityStats")
    @Description("Data-quality figures of the caller's identity graph.")
    public record StatsView(long persons, long unassignedPersons, long ambiguousPersons, long quarantinedIdentifiers) {
    }
}
