package io.closedloop.gateway.client;

import io.closedloop.gateway.config.SubgraphsConfig;
import io.closedloop.plumbing.graphql.DataVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Sends GraphQL operations to the subgraphs on the caller's behalf: the caller's own bearer token is forwarded, so each
 * subgraph enforces workspace and role itself (DESIGN §9). Subgraphs are named as the supergraph names them.
 */
@ApplicationScoped
@Startup // its call counters are on /q/metrics from the start, at 0
public class SubgraphClient {

    private final WebClient web;
    private final SubgraphsConfig config;
    private final Map<String, String> urls;
    private final Map<String, Counter> calls;

    public SubgraphClient(Vertx vertx, SubgraphsConfig config, MeterRegistry metrics) {
        this.web = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(config.subgraphPoolSize()).setKeepAlive(true));
        this.config = config;
        this.urls = Map.of("ingestion", config.ingestion().url() + "/graphql", "identity", config.identity().url() + "/graphql",
                "attribution", config.attribution().url() + "/graphql");
        // Counted per subgraph: what a query costs downstream (and what end-to-end's ApolloGatewayIT checks).
        this.calls = Map.of("ingestion", counter(metrics, "ingestion"), "identity", counter(metrics, "identity"),
                "attribution", counter(metrics, "attribution"));
    }

    private static Counter counter(MeterRegistry metrics, String subgraph) {
        return Counter.builder("closedloop.gateway.subgraph.calls").description("GraphQL operations the gateway sent to a subgraph")
                .tag("subgraph", subgraph).register(metrics);
    }

    /**
     * A subgraph's GraphQL response as it came ({@code data}, {@code errors}), its bytes kept as bytes (an answer passed on
     * whole is never decoded), and its data version (null if none).
     */
    public record Answer(Buffer json, String dataVersion) {

        private static final byte[] DATA_FIRST = "{\"data\":".getBytes(StandardCharsets.UTF_8);

        /** The response parsed. */
        public Map<String, Object> body() {
            return new JsonObject(json).getMap();
        }

        /** Whether the response is data alone: the subgraph writes errors, when there are any, before the data. */
        public boolean dataOnly() {
            if (json.length() < DATA_FIRST.length) {
                return false;
            }
            for (int i = 0; i < DATA_FIRST.length; i++) {
                if (json.getByte(i) != DATA_FIRST[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The subgraph's GraphQL response to {@code query}, with the version of its data read before the operation ran
     * (plumbing's DataVersion); fails when it gives none.
     */
    public CompletionStage<Answer> call(String subgraph, String query, Map<String, Object> variables, String bearerToken) {
        String url = urls.get(subgraph);
        if (url == null) {
            throw new IllegalArgumentException("no subgraph named " + subgraph);
        }
        calls.get(subgraph).increment();
        JsonObject body = new JsonObject().put("query", query).put("variables", new JsonObject(variables));
        return web.postAbs(url)
                .putHeader("Authorization", "Bearer " + bearerToken)
                .putHeader("Accept", "application/json")
                .putHeader(DataVersion.HEADER, "?")
                .timeout(config.subgraphTimeout().toMillis())
                .sendJsonObject(body)
                .map(response -> {
                    if (!String.valueOf(response.getHeader("Content-Type")).contains("json")) {
                        throw new IllegalStateException(subgraph + " answered HTTP " + response.statusCode() + " without JSON");
                    }
                    return new Answer(response.body() == null ? Buffer.buffer() : response.body().getDelegate(), response.getHeader(DataVersion.HEADER));
                })
                .subscribeAsCompletionStage();
    }

    /** The subgraph's data version now (plumbing's DataVersion), or null when it offers none or cannot be asked. */
    public CompletionStage<String> dataVersion(String subgraph, String bearerToken) {
        return web.getAbs(urls.get(subgraph) + "/data-version")
                .putHeader("Authorization", "Bearer " + bearerToken)
                .timeout(config.subgraphTimeout().toMillis())
                .send()
                .map(response -> response.statusCode() == 200 ? response.bodyAsString() : null)
                .onFailure().recoverWithItem((String) null)
                .subscribeAsCompletionStage();
    }

    @PreDestroy
    void close() {
        web.close();
    }
}
