package io.closedloop.gateway.graphql;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import io.closedloop.gateway.federation.Operation;
import io.closedloop.gateway.federation.RequestException;
import io.closedloop.gateway.service.PublicGraph;
import io.closedloop.plumbing.graphql.GraphQlOverHttp;
import io.quarkus.logging.Log;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Map;

/**
 * {@code /graphql}: the public graph over HTTP (GraphQL over HTTP). plumbing's {@link GraphQlOverHttp} goes first
 * (content negotiation, the body, parsing and validating the document against the public schema, coercing the
 * variables); this route runs what passed. GET runs queries only (a mutation is 405, so a link cannot change data).
 * {@code /graphql/schema.graphql} serves the public schema's SDL.
 */
@ApplicationScoped
public class GraphqlRoute {

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";

    private final PublicGraph graph;
    private final GraphQlOverHttp http;

    public GraphqlRoute(PublicGraph graph, GraphQlOverHttp http) {
        this.graph = graph;
        this.http = http;
    }

    void routes(@Observes Router router) {
        router.post("/graphql").order(GraphQlOverHttp.ORDER + 5).handler(this::post);
        router.get("/graphql").order(GraphQlOverHttp.ORDER + 1).handler(this::get);
        router.get("/graphql/schema.graphql").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(graph.sdl()));
    }

    private void post(RoutingContext ctx) {
        JsonObject body = ctx.body().asJsonObject();
        Document document = ctx.get(GraphQlOverHttp.DOCUMENT);
        if (body == null) {
            GraphQlOverHttp.refuse(ctx, 400, List.of("body: a JSON object {\"query\": \"...\"}, not null"), "BAD_REQUEST");
            return;
        }
        if (document == null) {
            String problem = body.getValue("query") == null ? "query: missing; a POST to /graphql carries {\"query\": \"...\"}"
                    : "query: must be a string";
            GraphQlOverHttp.refuse(ctx, 400, List.of(problem), "BAD_REQUEST");
            return;
        }
        Object operationName = body.getValue("operationName");
        Object variables = body.getValue("variables");
        if (operationName != null && !(operationName instanceof String) || variables != null && !(variables instanceof JsonObject)) {
            GraphQlOverHttp.refuse(ctx, 400, List.of(operationName != null && !(operationName instanceof String)
                    ? "operationName: must be a string" : "variables: must be an object"), "BAD_REQUEST");
            return;
        }
        run(ctx, body.getString("query"), document, (String) operationName, variables == null ? Map.of() : ((JsonObject) variables).getMap(), false);
    }

    private void get(RoutingContext ctx) {
        String query = ctx.request().getParam("query");
        if (query == null) {
            GraphQlOverHttp.refuse(ctx, 400, List.of("query: missing; GET /graphql?query=..."), "BAD_REQUEST");
            return;
        }
        String operationName = ctx.request().getParam("operationName");
        Map<String, Object> variables = Map.of();
        String given = ctx.request().getParam("variables");
        if (given != null) {
            try {
                variables = new JsonObject(given).getMap();
            } catch (DecodeException | ClassCastException e) {
                GraphQlOverHttp.refuse(ctx, 400, List.of("variables: not a JSON object"), "BAD_REQUEST");
                return;
            }
        }
        GraphQlOverHttp.Checked checked = http.check(query, operationName, variables);
        if (!checked.problems().isEmpty()) {
            GraphQlOverHttp.refuse(ctx, GraphQlOverHttp.requestErrorStatus(ctx), checked.problems(), checked.code());
            return;
        }
        run(ctx, query, checked.document(), operationName, variables, true);
    }

    private void run(RoutingContext ctx, String query, Document document, String operationName, Map<String, Object> variables, boolean queriesOnly) {
        String token = bearer(ctx);
        try {
            if (queriesOnly && Operation.of(document, operationName, variables).definition().getOperation() != OperationDefinition.Operation.QUERY) {
                ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
                GraphQlOverHttp.refuse(ctx, 405, List.of("a mutation is sent with POST, never GET"), "BAD_REQUEST");
                return;
            }
            graph.answer(query, document, operationName, variables, token).whenComplete((answer, failure) -> {
                if (failure != null) {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof RequestException refused) {
                        refuse(ctx, refused);
                    } else {
                        Log.error("the gateway failed to answer", cause);
                        GraphQlOverHttp.refuse(ctx, 500, List.of("the gateway failed to answer: " + cause.getClass().getSimpleName()), "INTERNAL_SERVER_ERROR");
                    }
                    return;
                }
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, contentType(ctx)).end(answer);
            });
        } catch (RequestException refused) {
            refuse(ctx, refused);
        }
    }

    private static void refuse(RoutingContext ctx, RequestException refused) {
        Map<String, Object> error = Map.of("message", refused.getMessage(), "extensions", Map.of("code", refused.code()));
        int status = refused.badRequest() ? 400 : GraphQlOverHttp.requestErrorStatus(ctx);
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType(ctx))
                .end(Json.encode(Map.of("errors", List.of(error))));
    }

    private static String contentType(RoutingContext ctx) {
        return GraphQlOverHttp.answersGraphQlResponse(ctx) ? GRAPHQL_RESPONSE : "application/json";
    }

    /** The caller's token, passed on to every subgraph (authentication has already checked it). */
    private static String bearer(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
    }
}
