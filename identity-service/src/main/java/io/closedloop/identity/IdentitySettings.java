package io.closedloop.identity;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** How identity resolution behaves in one workspace (table identity_settings). */
@Description("How identity resolution behaves in the caller's workspace.")
public class IdentitySettings {

    /** The explosion guard's default: an identifier that would merge more persons than this is quarantined. */
    public static final int DEFAULT_EXPLOSION_GUARD_LIMIT = 50;

    @Ignore
    public String workspaceId;

    @Description("An identifier (a shared cookie, a test email) that would merge more persons than this is quarantined instead.")
    public int explosionGuardLimit = DEFAULT_EXPLOSION_GUARD_LIMIT;

    @Description("When the settings last changed; null while the workspace uses the defaults.")
    public OffsetDateTime updatedAt;

    public static IdentitySettings defaults(String workspace) {
        IdentitySettings settings = new IdentitySettings();
        settings.workspaceId = workspace;
        return settings;
    }
}
