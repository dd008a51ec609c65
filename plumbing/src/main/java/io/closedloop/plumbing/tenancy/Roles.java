package io.closedloop.plumbing.tenancy;

/** The roles a token's {@code groups} claim may carry (DESIGN §6, §9). */
public final class Roles {

    /** Writes data: CRM objects, revenue, spend, offline touches, CSV imports. */
    public static final String INGEST = "ingest";
    /** Reads reports and data of its workspace. */
    public static final String ANALYST = "analyst";
    /** Manages its workspace: write keys, channel taxonomy, settings. */
    public static final String ADMIN = "admin";
    /** Service-to-service: reads the feeds of every workspace, nothing else across workspaces. */
    public static final String SERVICE = "service";

    private Roles() {
    }
}
