package io.closedloop.launcher;

/** The four services, with their module folder, default port and database (DESIGN §9). */
public enum ServiceName {
    INGESTION("ingestion-service", 8180, "ingestion"),
    IDENTITY("identity-service", 8280, "identity"),
    ATTRIBUTION("attribution-service", 8380, "attribution"),
    GATEWAY("reporting-gateway", 8080, null);

    private final String module;
    private final int defaultPort;
    private final String database;

    ServiceName(String module, int defaultPort, String database) {
        this.module = module;
        this.defaultPort = defaultPort;
        this.database = database;
    }

    public String module() {
        return module;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The service's own database (also its role name); null for the stateless gateway. */
    public String database() {
        return database;
    }

    /** Environment variable through which the other services find this one, e.g. CLOSEDLOOP_INGESTION_URL. */
    public String urlVariable() {
        return "CLOSEDLOOP_" + name() + "_URL";
    }
}
