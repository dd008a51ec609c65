package io.closedloop.plumbing.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.execution.RawVariables;
import graphql.execution.ValuesResolver;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import graphql.validation.ValidationError;
import graphql.validation.Validator;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GraphQL-over-HTTP rules SmallRye leaves to the server, in front of every service's {@code /graphql} (the spec's
 * SHOULDs, checked by graphql-http's audit in FederationCompositionIT): a POST whose Content-Type is missing or not
 * JSON is 415; a missing or wildcard Accept gets {@code application/json}; a body that is not JSON is 400. A document
 * that does not parse or validate, or variables that do not coerce, get the errors with 400 when the client accepts
 * {@code application/graphql-response+json} and 200 when it accepts {@code application/json} (a status from an
 * intermediary could not be told apart there). A well-formed request goes on to SmallRye unchanged. Documents are
 * parsed and validated once and remembered (bounded by their length), so a dashboard's repeated documents cost a lookup.
 */
@ApplicationScoped
public class GraphQlOverHttp {

    /** Before SmallRye's own route for the path, after authentication. */
    public static final int ORDER = -40;
    /** The routing context's key of the request's parsed and validated document (for a server that executes it itself). */
    public static final String DOCUMENT = "closedloop.graphql.document";
    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";

    /**
     * A document as parsed, with what makes it invalid (empty when it may run) and the errors' {@code extensions.code}, as
     * Apollo's servers name them: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT (variables).
     */
    public record Checked(Document document, List<String> problems, String code) {
    }

    private final Instance<GraphQLSchema> schema;
    private final Cache<String, Checked> checked = Caffeine.newBuilder().maximumWeight(16L << 20)
            // A parsed document holds far more than its text: weighed at 32 bytes a character, roughly its syntax tree's size.
            .weigher((String query, Checked c) -> (int) Math.min(Integer.MAX_VALUE, 32L * query.length() + 200))
            .executor(Runnable::run).build();

    public GraphQlOverHttp(Instance<GraphQLSchema> schema) {
        this.schema = schema;
    }

    void routes(@Observes Router router) {
        long bodyLimit = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", String.class)
                .map(GraphQlOverHttp::bytes).orElse(10L << 20);
        router.post("/graphql").order(ORDER).handler(this::negotiate);
        router.post("/graphql").order(ORDER + 1).handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
        router.post("/graphql").order(ORDER + 2).handler(this::check);
        router.get("/graphql").order(ORDER).handler(this::negotiate);
    }

    private void negotiate(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        if (accept == null || !(accept.contains("application/json") || accept.contains(GRAPHQL_RESPONSE))) {
            ctx.request().headers().set(HttpHeaders.ACCEPT, "application/json");
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (ctx.request().method().name().equals("POST")
                && (type == null || !type.toLowerCase(Locale.ROOT).contains("application/json"))) {
            refuse(ctx, 415, "Content-Type: a POST to /graphql carries application/json");
            return;
        }
        ctx.next();
    }

    private void check(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            refuse(ctx, 400, "body: not a JSON object: " + e.getMessage());
            return;
        }
        if (body == null || !(body.getValue("query") instanceof String query)) {
            ctx.next(); // SmallRye names what is missing or mistyped
            return;
        }
        // Absent variables are coerced as none: a required one missing is the client's error, before anything runs.
        Checked document = check(query, body.getValue("operationName") instanceof String name ? name : null,
                body.getValue("variables") instanceof JsonObject variables ? variables.getMap() : Map.of());
        if (!document.problems().isEmpty()) {
            refuse(ctx, requestErrorStatus(ctx), document.problems(), document.code());
            return;
        }
        ctx.put(DOCUMENT, document.document());
        ctx.next();
    }

    /** {@code query} parsed and validated (remembered), and {@code variables} (when given) coerced to its operation's. */
    public Checked check(String query, String operationName, Map<String, Object> variables) {
        Checked document = checked.get(query, this::parseAndValidate);
        if (document.problems().isEmpty() && variables != null) {
            String problem = coercionProblem(document.document(), operationName, variables);
            if (problem != null) {
                return new Checked(document.document(), List.of(problem), "BAD_USER_INPUT");
            }
        }
        return document;
    }

    private Checked parseAndValidate(String query) {
        Document document;
        try {
            document = Parser.parse(query);
        } catch (InvalidSyntaxException e) {
            return new Checked(null, List.of(e.getMessage()), "GRAPHQL_PARSE_FAILED");
        }
        List<ValidationError> errors = new Validator().validateDocument(schema.get(), document, Locale.ENGLISH);
        return new Checked(document, errors.stream().map(ValidationError::getMessage).toList(), "GRAPHQL_VALIDATION_FAILED");
    }

    /** Why the variables do not fit the operation's definitions, or null when they do (or the operation is not found). */
    private String coercionProblem(Document document, String operationName, Map<String, Object> variables) {
        OperationDefinition operation = document.getDefinitionsOfType(OperationDefinition.class).stream()
                .filter(o -> operationName == null || operationName.equals(o.getName())).findFirst().orElse(null);
        if (operation == null) {
            return null;
        }
        try {
            ValuesResolver.coerceVariableValues(schema.get(), operation.getVariableDefinitions(), RawVariables.of(variables),
                    GraphQLContext.getDefault(), Locale.ENGLISH);
            return null;
        } catch (RuntimeException e) {
            return e instanceof GraphQLError error ? error.getMessage() : "variables: " + e.getMessage();
        }
    }

    /** 400 for a client of application/graphql-response+json, 200 (errors in the body) for one of application/json. */
    public static int requestErrorStatus(RoutingContext ctx) {
        return answersGraphQlResponse(ctx) ? 400 : 200;
    }

    /** Whether the client accepts application/graphql-response+json (it is then answered in it). */
    public static boolean answersGraphQlResponse(RoutingContext ctx) {
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        return accept != null && accept.contains(GRAPHQL_RESPONSE);
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        refuse(ctx, status, List.of(message), "BAD_REQUEST");
    }

    /** Answers the request with {@code messages} as its errors and no data. */
    public static void refuse(RoutingContext ctx, int status, List<String> messages, String code) {
        JsonArray errors = new JsonArray();
        messages.forEach(m -> errors.add(new JsonObject().put("message", m).put("extensions", new JsonObject().put("code", code))));
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, answersGraphQlResponse(ctx) ? GRAPHQL_RESPONSE : "application/json")
                .end(new JsonObject().put("errors", errors).encode());
    }

    /** Quarkus's memory size notation (10M, 512K, 1G or bytes). */
    private static long bytes(String size) {
        String s = size.strip().toUpperCase(Locale.ROOT);
        long unit = switch (s.charAt(s.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
    }
}
