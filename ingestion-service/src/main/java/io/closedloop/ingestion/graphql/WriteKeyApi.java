package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.WriteKey;
import io.closedloop.ingestion.service.WriteKeyAuthenticator;
import io.closedloop.ingestion.service.WriteKeyService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import io.smallrye.graphql.api.federation.link.Import;
import io.smallrye.graphql.api.federation.link.Link;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;

@GraphQLApi
// Federation v2 (DESIGN §9): without a @link to the spec the subgraph SDL reads as Federation v1 and does not compose.
// @key: the entities Account and Opportunity; @shareable: PageInfo; @inaccessible: the entity lookups (graphql/CrmEntityApi).
@Link(url = Link.FEDERATION_SPEC_LATEST_URL, _import = {@Import(name = "@key"), @Import(name = "@shareable"),
        @Import(name = "@inaccessible")})
public class WriteKeyApi {

    private final WriteKeyService writeKeys;
    private final WriteKeyAuthenticator authenticator;
    private final Caller caller;

    public WriteKeyApi(WriteKeyService writeKeys, WriteKeyAuthenticator authenticator, Caller caller) {
        this.writeKeys = writeKeys;
        this.authenticator = authenticator;
        this.caller = caller;
    }

    @Query
    @Description("The Segment write keys of the caller's workspace, active and revoked.")
    public Uni<List<@NonNull WriteKey>> writeKeys() {
        return writeKeys.list(caller.workspaceFor(Roles.ADMIN));
    }

    @Mutation
    @Description("Creates a Segment write key for the caller's workspace.")
    public Uni<@NonNull WriteKey> createWriteKey(@NonNull @Description("A name to tell keys apart.") String name) {
        if (name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("createWriteKey.name: must be 1 to 100 characters");
        }
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return writeKeys.create(workspace, name);
    }

    @Mutation
    @Description("Revokes a write key: events sent with it get 401 from then on. Null when the workspace has no such key.")
    public Uni<WriteKey> revokeWriteKey(@NonNull @Id String id) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        long keyId;
        try {
            keyId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("revokeWriteKey.id: '" + id + "' is not a write key id");
        }
        // Forgotten again once the revocation has committed, so no request in between re-caches the key as active.
        return writeKeys.revoke(workspace, keyId).invoke(key -> {
            if (key != null) {
                authenticator.forget(key.key);
            }
        });
    }
}
