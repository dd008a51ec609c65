package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.WriteKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

@ApplicationScoped
@WithSession
public class WriteKeyRepository implements PanacheRepository<WriteKey> {

    public Uni<List<WriteKey>> listByWorkspace(String workspace) {
        return list("workspaceId = ?1 order by id", workspace);
    }

    public Uni<WriteKey> findInWorkspace(String workspace, long id) {
        return find("workspaceId = ?1 and id = ?2", workspace, id).firstResult();
    }
}
