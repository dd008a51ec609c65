package io.closedloop.ingestion;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** A Segment write key: the HTTP Basic user name tracking libraries send; it can only write events to its workspace. */
@Entity
@Table(name = "write_key")
@Description("A Segment write key of the caller's workspace. Tracking libraries send it as the HTTP Basic user name.")
public class WriteKey extends PanacheEntityBase {

    @Id
    @org.eclipse.microprofile.graphql.Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Ignore
    @Column(name = "workspace_id", nullable = false)
    public String workspaceId;

    @Description("A name to tell keys apart, e.g. the site or app that uses it.")
    public String name;

    @Description("The key itself.")
    public String key;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Description("When the key was revoked; null while it is active. A revoked key gets 401.")
    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;
}
