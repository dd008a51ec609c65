package io.closedloop.ingestion.service;

import io.closedloop.ingestion.WriteKey;
import io.closedloop.ingestion.repository.WriteKeyRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

@ApplicationScoped
public class WriteKeyService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final WriteKeyRepository writeKeys;
    private final WriteKeyAuthenticator authenticator;

    public WriteKeyService(WriteKeyRepository writeKeys, WriteKeyAuthenticator authenticator) {
        this.writeKeys = writeKeys;
        this.authenticator = authenticator;
    }

    public Uni<List<WriteKey>> list(String workspace) {
        return writeKeys.listByWorkspace(workspace);
    }

    /** Creates a key for {@code workspace}, registering the workspace on its first key. */
    public Uni<WriteKey> create(String workspace, String name) {
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        return writeKeys.create(workspace, name.strip(), Base64.getUrlEncoder().withoutPadding().encodeToString(secret))
                .invoke(created -> authenticator.forget(created.key));
    }

    /** Revokes a key of {@code workspace}; null when the workspace has no such key. */
    public Uni<WriteKey> revoke(String workspace, long id) {
        return writeKeys.revoke(workspace, id).onItem().ifNotNull().invoke(key -> authenticator.forget(key.key));
    }
}
