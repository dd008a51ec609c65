package io.closedloop.gateway.client;

import io.closedloop.gateway.config.SubgraphsConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Sends GraphQL operations to the subgraphs on the caller's behalf: the caller's own bearer token
 * is forwarded, so each subgraph enforces workspace and role itself (DESIGN §9).
 */
@ApplicationScoped
public class SubgraphClient {

    /** The three subgraphs the gateway fronts. */
    public enum Subgraph { INGESTION, IDENTITY, ATTRIBUTION }

    private final WebClient web;
    private final SubgraphsConfig config;

    public SubgraphClient(Vertx vertx, SubgraphsConfig config) {
        this.web = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(config.subgraphPoolSize()).setKeepAlive(true));
        this.config = config;
    }

    /** Runs {@code query} on {@code subgraph} and returns its {@code data}; errors become a {@link SubgraphException}. */
    public Uni<JsonObject> query(Subgraph subgraph, String query, Map<String, Object> variables, String bearerToken) {
        String url = url(subgraph) + "/graphql";
        JsonObject body = new JsonObject().put("query", query).put("variables", new JsonObject(variables));
        return web.postAbs(url)
                .putHeader("Authorization", "Bearer " + bearerToken)
                .timeout(config.subgraphTimeout().toMillis())
                .sendJsonObject(body)
                .onFailure().transform(e -> new SubgraphException(name(subgraph) + " is unreachable: " + e.getMessage()))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new SubgraphException(name(subgraph) + " answered HTTP " + response.statusCode());
                    }
                    JsonObject json = response.bodyAsJsonObject();
                    JsonArray errors = json.getJsonArray("errors");
                    if (errors != null && !errors.isEmpty()) {
                        throw new SubgraphException(errors.getJsonObject(0).getString("message", "error in " + name(subgraph)));
                    }
                    return json.getJsonObject("data");
                });
    }

    private String url(Subgraph subgraph) {
        return switch (subgraph) {
            case INGESTION -> config.ingestion().url();
            case IDENTITY -> config.identity().url();
            case ATTRIBUTION -> config.attribution().url();
        };
    }

    private static String name(Subgraph subgraph) {
        return subgraph.name().toLowerCase() + "-service";
    }

    @PreDestroy
    void close() {
        web.close();
    }
}
