package io.closedloop.ingestion.service;

import io.closedloop.ingestion.WriteKey;
import io.closedloop.ingestion.repository.WriteKeyRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
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
    @WithTransaction
    public Uni<WriteKey> create(String workspace, String name) {
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        WriteKey key = new WriteKey();
        key.workspaceId = workspace;
        key.name = name.strip();
        key.key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        key.createdAt = OffsetDateTime.now();
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                                "insert into workspace (id) values (?1) on conflict (id) do nothing")
                        .setParameter(1, workspace)
                        .executeUpdate())
                .chain(() -> writeKeys.persist(key))
                .invoke(created -> authenticator.forget(created.key));
    }

    /** Revokes a key of {@code workspace}; null when the workspace has no such key. */
    @WithTransaction
    public Uni<WriteKey> revoke(String workspace, long id) {
        return writeKeys.findInWorkspace(workspace, id).onItem().ifNotNull().invoke(key -> {
            if (key.revokedAt == null) {
                key.revokedAt = OffsetDateTime.now();
            }
            authenticator.forget(key.key);
        });
    }
}
