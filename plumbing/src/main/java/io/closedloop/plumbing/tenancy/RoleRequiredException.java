package io.closedloop.plumbing.tenancy;

import java.util.Set;

/** The caller's token lacks every role (or the audience or stream) the operation accepts (a 403 in REST, a named error in GraphQL). */
public class RoleRequiredException extends SecurityException {

    public RoleRequiredException(String[] accepted, Set<String> held) {
        super("forbidden: this operation needs the role " + String.join(" or ", accepted)
                + "; the token has " + (held == null || held.isEmpty() ? "no role" : String.join(", ", held)));
    }

    public RoleRequiredException(String message) {
        super(message);
    }
}
