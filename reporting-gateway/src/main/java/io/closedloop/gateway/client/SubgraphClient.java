package io.closedloop.gateway.client;

import io.closedloop.gateway.config.SubgraphsConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Sends GraphQL operations to the subgraphs on the caller's behalf: the caller's own bearer token is forwarded, so each
 * subgraph enforces workspace and role itself (DESIGN §9). Subgraphs are named as the supergraph names them.
 */
@ApplicationScoped
public class SubgraphClient {

    private final WebClient web;
    private final SubgraphsConfig config;
    private final Map<String, String> urls;

    public SubgraphClient(Vertx vertx, SubgraphsConfig config) {
        this.web = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(config.subgraphPoolSize()).setKeepAlive(true));
        this.config = config;
        this.urls = Map.of("ingestion", config.ingestion().url() + "/graphql", "identity", config.identity().url() + "/graphql",
                "attribution", config.attribution().url() + "/graphql");
    }

    /** The subgraph's GraphQL response ({@code data}, {@code errors}) to {@code query}; fails when it gives none. */
    public CompletionStage<Map<String, Object>> call(String subgraph, String query, Map<String, Object> variables, String bearerToken) {
        String url = urls.get(subgraph);
        if (url == null) {
            throw new IllegalArgumentException("no subgraph named " + subgraph);
        }
        JsonObject body = new JsonObject().put("query", query).put("variables", new JsonObject(variables));
        return web.postAbs(url)
                .putHeader("Authorization", "Bearer " + bearerToken)
                .putHeader("Accept", "application/json")
                .timeout(config.subgraphTimeout().toMillis())
                .sendJsonObject(body)
                .map(response -> {
                    if (!String.valueOf(response.getHeader("Content-Type")).contains("json")) {
                        throw new IllegalStateException(subgraph + " answered HTTP " + response.statusCode() + " without JSON");
                    }
                    return response.bodyAsJsonObject().getMap();
                })
                .subscribeAsCompletionStage();
    }

    @PreDestroy
    void close() {
        web.close();
    }
}
