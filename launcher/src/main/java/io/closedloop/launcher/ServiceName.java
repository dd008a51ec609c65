package io.closedloop.launcher;

import java.util.List;

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

    /**
     * The feeds this service reads, each {@code producer/stream} (docs/feeds.md): what its service token may read and
     * nothing more. The gateway and ingestion read none and hold no service token.
     */
    public List<String> feedsRead() {
        return switch (this) {
            case IDENTITY -> List.of("ingestion/identity-facts", "ingestion/crm");
            case ATTRIBUTION -> List.of("ingestion/touches", "ingestion/crm", "ingestion/revenue", "ingestion/spend",
                    "ingestion/erasures", "identity/memberships");
            case INGESTION, GATEWAY -> List.of();
        };
    }

    /** Every feed of every producer, for an operator's token (tests, replays). */
    public static List<String> allFeeds() {
        return List.of("ingestion/touches", "ingestion/identity-facts", "ingestion/crm", "ingestion/revenue", "ingestion/spend",
                "ingestion/erasures", "identity/memberships");
    }

    /** Environment variable through which the other services find this one, e.g. CLOSEDLOOP_INGESTION_URL. */
    public String urlVariable() {
        return "CLOSEDLOOP_" + name() + "_URL";
    }
}
