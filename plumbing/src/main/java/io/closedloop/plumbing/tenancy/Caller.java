package io.closedloop.plumbing.tenancy;

import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;
import java.util.TreeSet;

/**
 * Who is calling and in which workspace. The workspace comes from the verified token's
 * {@code workspace} claim, never from a request argument (DESIGN §2 "Multi-tenancy").
 */
@RequestScoped
public class Caller {

    /** The JWT claim naming the caller's workspace. */
    public static final String WORKSPACE_CLAIM = "workspace";

    private final JsonWebToken token;

    public Caller(JsonWebToken token) {
        this.token = token;
    }

    /**
     * Requires the token's subject to be {@code subject} (a consumer's own service token: the run command and
     * {@code ./closedloop token --feeds-of X} mint them as {@code X-service}); else a {@link RoleRequiredException}.
     */
    public void requireSubject(String subject) {
        if (!subject.equals(token.getSubject())) {
            throw new RoleRequiredException("only " + subject + "'s own service token may do this");
        }
    }

    /** The caller's workspace id; a token without one may not touch workspace data. */
    public String workspace() {
        Object claim = token.getClaim(WORKSPACE_CLAIM);
        String workspace = claim == null ? null : claim.toString().replace("\"", "");
        if (workspace == null || workspace.isBlank()) {
            throw new WorkspaceRequiredException();
        }
        return workspace;
    }

    /**
     * The caller's workspace, provided the token carries one of {@code roles}; otherwise a
     * {@link RoleRequiredException} that says which roles the operation needs.
     */
    public String workspaceFor(String... roles) {
        requireAnyRole(roles);
        return workspace();
    }

    /** Fails unless the token carries one of {@code roles}. */
    public void requireAnyRole(String... roles) {
        for (String role : roles) {
            if (hasRole(role)) {
                return;
            }
        }
        throw new RoleRequiredException(roles, token.getGroups());
    }

    /** The claim listing the feeds a service token may read, each {@code producer/stream} ("ingestion/touches"). */
    public static final String STREAMS_CLAIM = "streams";

    /**
     * Fails unless the token may read {@code producer}'s feed {@code stream}: role {@code service}, {@code producer} in
     * its audience and {@code producer/stream} in its {@value #STREAMS_CLAIM} claim (DESIGN §6: a consumer's token
     * reads only the streams it consumes, and names its audience).
     */
    public void requireFeed(String producer, String stream) {
        requireAnyRole(Roles.SERVICE);
        Set<String> audience = token.getAudience() == null ? Set.of() : token.getAudience();
        if (!audience.contains(producer)) {
            throw new RoleRequiredException("forbidden: this token's audience is " + new TreeSet<>(audience)
                    + "; reading " + producer + "'s feeds needs '" + producer + "'");
        }
        Object claim = token.getClaim(STREAMS_CLAIM);
        String wanted = producer + "/" + stream;
        boolean granted = claim instanceof JsonArray streams && streams.stream()
                .anyMatch(v -> v instanceof JsonString s && s.getString().equals(wanted));
        if (!granted) {
            throw new RoleRequiredException("forbidden: this token may not read " + wanted + " (its " + STREAMS_CLAIM
                    + " claim: " + claim + ")");
        }
    }

    /** The raw bearer token, to forward to another service on the caller's behalf. */
    public String rawToken() {
        return token.getRawToken();
    }

    /**
     * The workspace claim and the roles, sorted: all of a caller that decides what a service may answer
     * it (the gateway keys its answer cache on it). Does not require a workspace.
     */
    public String access() {
        Object workspace = token.getClaim(WORKSPACE_CLAIM);
        Set<String> roles = token.getGroups() == null ? Set.of() : new TreeSet<>(token.getGroups());
        return workspace + " " + roles;
    }

    public boolean hasRole(String role) {
        return token.getGroups() != null && token.getGroups().contains(role);
    }
}
