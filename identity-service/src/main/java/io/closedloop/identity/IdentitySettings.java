package io.closedloop.identity;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** How identity resolution behaves in one workspace. */
@Entity
@Table(name = "identity_settings")
@Description("How identity resolution behaves in the caller's workspace.")
public class IdentitySettings extends PanacheEntityBase {

    /** The explosion guard's default: an identifier that would merge more persons than this is quarantined. */
    public static final int DEFAULT_EXPLOSION_GUARD_LIMIT = 50;

    @Id
    @Ignore
    @Column(name = "workspace_id")
    public String workspaceId;

    @Description("An identifier (a shared cookie, a test email) that would merge more persons than this is quarantined instead.")
    @Column(name = "explosion_guard_limit")
    public int explosionGuardLimit = DEFAULT_EXPLOSION_GUARD_LIMIT;

    @Description("When the settings last changed; null while the workspace uses the defaults.")
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public static IdentitySettings defaults(String workspace) {
        IdentitySettings settings = new IdentitySettings();
        settings.workspaceId = workspace;
        return settings;
    }
}
