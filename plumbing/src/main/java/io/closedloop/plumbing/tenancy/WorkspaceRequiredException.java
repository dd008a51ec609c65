package io.closedloop.plumbing.tenancy;

/** The caller's token has no {@code workspace} claim, so it cannot read or write workspace data. */
public class WorkspaceRequiredException extends SecurityException {

    public WorkspaceRequiredException() {
        super("the token carries no 'workspace' claim; workspace data needs a workspace token");
    }
}
