package io.closedloop.gateway.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionInput;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.language.Document;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaPrinter;
import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.config.GraphqlLimits;
import io.closedloop.gateway.federation.Fetch;
import io.closedloop.gateway.federation.Operation;
import io.closedloop.gateway.federation.PlanExecutor;
import io.closedloop.gateway.federation.QueryPlan;
import io.closedloop.gateway.federation.QueryPlanner;
import io.closedloop.gateway.federation.ResponseShaper;
import io.closedloop.gateway.federation.Supergraph;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * The public graph: the supergraph the subgraphs compose to ({@code supergraph.graphql}, committed and checked against
 * the running subgraphs by end-to-end's FederationCompositionIT), each operation planned over it, run against the
 * subgraphs with the caller's token and shaped into the client's answer. Introspection is answered from the public
 * schema itself.
 */
@ApplicationScoped
public class PublicGraph {

    private final Supergraph supergraph;
    private final QueryPlanner planner;
    private final SubgraphClient subgraphs;
    private final GraphQL introspection;
    private final AnswerCache answers;
    private final Cache<String, QueryPlan> plans = Caffeine.newBuilder().maximumWeight(16L << 20)
            // A plan holds its subgraph documents and the operation's syntax tree: weighed at 40 bytes a character of the document.
            .weigher((String query, QueryPlan plan) -> (int) Math.min(Integer.MAX_VALUE, 40L * query.length() + 500))
            .executor(Runnable::run).build();

    private final Counter passedOn;
    private final Counter merged;
    private final Counter kept;

    public PublicGraph(Supergraph supergraph, SubgraphClient subgraphs, GraphqlLimits limits, AnswerCache answers, MeterRegistry metrics) {
        this.answers = answers;
        // How each answer was made: a subgraph's passed on whole, merged from fetches, or kept (closedloop_gateway_answers_total).
        this.passedOn = answerCounter(metrics, "passed-on");
        this.merged = answerCounter(metrics, "merged");
        this.kept = answerCounter(metrics, "kept");
        this.supergraph = supergraph;
        this.planner = new QueryPlanner(supergraph, new QueryPlanner.Limits(limits.maxDepth(), limits.maxFields(), limits.maxRootFields()));
        this.subgraphs = subgraphs;
        this.introspection = GraphQL.newGraphQL(supergraph.apiSchema()).build();
    }

    private static Counter answerCounter(MeterRegistry metrics, String how) {
        return Counter.builder("closedloop.gateway.answers").description("Answers the gateway gave, by how it made them")
                .tag("how", how).register(metrics);
    }

    /** The supergraph, read once from the classpath. */
    @Produces
    @Singleton
    static Supergraph supergraph() {
        try (InputStream sdl = PublicGraph.class.getResourceAsStream("/supergraph.graphql")) {
            if (sdl == null) {
                throw new IllegalStateException("supergraph.graphql is not on the classpath");
            }
            return Supergraph.parse(new String(sdl.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public schema, which plumbing's GraphQL-over-HTTP front validates requests against. */
    @Produces
    @Singleton
    static GraphQLSchema apiSchema(Supergraph supergraph) {
        return supergraph.apiSchema();
    }

    /** The public schema as SDL. */
    public String sdl() {
        return new SchemaPrinter(SchemaPrinter.Options.defaultOptions().includeDirectives(d -> d.equals("deprecated"))
                .includeScalarTypes(true)).print(supergraph.apiSchema());
    }

    /**
     * The answer, as JSON ({@code errors}, {@code data}, {@code extensions}), to the operation of a valid {@code document}
     * (whose text is {@code query}), asked with {@code token}: a kept one while it is still true (AnswerCache), else
     * planned and run; a {@link io.closedloop.gateway.federation.RequestException} when the operation cannot run at all.
     */
    public CompletionStage<Buffer> answer(String query, Document document, String operationName, Map<String, Object> variables,
                                          String token) {
        Operation operation = Operation.of(document, operationName, variables);
        QueryPlan plan = plan(query, operationName, operation);
        if (operation.isMutation() || !answers.enabled()) {
            return execute(plan, token, null);
        }
        String key = AnswerCache.key(token, query, operationName, Json.encode(operation.variables()));
        return answers.lookup(key, token).thenCompose(json -> {
            if (json == null) {
                return execute(plan, token, key);
            }
            kept.increment();
            return CompletableFuture.completedFuture(json);
        });
    }

    /**
     * The operation's plan: remembered per document and operation name, since dashboards send the same few documents
     * with different variables; a document that may hold {@code @skip} or {@code @include} is planned each time (its
     * fields depend on the variables; "skip" or "include" anywhere in its text counts, whitespace or comments after the
     * {@code @} included).
     */
    private QueryPlan plan(String query, String operationName, Operation operation) {
        if (query.contains("skip") || query.contains("include")) {
            return planner.plan(operation);
        }
        QueryPlan planned = plans.get(operationName + '\n' + query, k -> planner.plan(operation));
        return new QueryPlan(operation, planned.sequential(), planned.roots(), planned.introspects(), planned.whole());
    }

    /** Runs the plan; with a cache key, keeps an answer without errors whose every subgraph gave one data version. */
    private CompletionStage<Buffer> execute(QueryPlan plan, String token, String key) {
        Map<String, String> versions = new ConcurrentHashMap<>();
        AtomicBoolean versioned = new AtomicBoolean(true);
        if (plan.whole()) {
            // One fetch asking exactly what the client asked: an answer without errors is passed on as the subgraph wrote it.
            Fetch fetch = plan.roots().get(0);
            return subgraphs.call(fetch.graph(), fetch.query(), PlanExecutor.variablesOf(fetch, plan.operation().variables()), token)
                    .handle((answer, failure) -> {
                        if (failure == null && answer.dataOnly()) {
                            passedOn.increment();
                            if (key != null && answer.dataVersion() != null) {
                                answers.keep(key, answer.json(), Map.of(fetch.graph(), answer.dataVersion()));
                            }
                            return CompletableFuture.completedFuture(answer.json());
                        }
                        // Errors, or no answer: made the client's as any plan's are (paths, codes, nulls); never kept.
                        versioned.set(false);
                        return shaped(plan, PlanExecutor.execute(plan, (graph, subquery, given) -> failure != null
                                ? CompletableFuture.failedFuture(failure) : CompletableFuture.completedFuture(answer.body())), key, versions, versioned);
                    }).thenCompose(answer -> answer);
        }
        return shaped(plan, PlanExecutor.execute(plan, (graph, subquery, given) -> subgraphs.call(graph, subquery, given, token).thenApply(answer -> {
            String version = answer.dataVersion();
            String earlier = version == null ? null : versions.putIfAbsent(graph, version);
            if (version == null || earlier != null && !earlier.equals(version)) {
                versioned.set(false); // no version, or the subgraph's data changed between two of its fetches
            }
            return answer.body();
        })), key, versions, versioned);
    }

    /** The client's answer from the plan's merged data, kept when it has no errors and every subgraph gave one version. */
    private CompletionStage<Buffer> shaped(QueryPlan plan, CompletionStage<PlanExecutor.Result> run, String key, Map<String, String> versions,
                                           AtomicBoolean versioned) {
        Operation operation = plan.operation();
        ExecutionResult introspection = plan.introspects() ? introspect(operation) : null;
        Map<String, Object> introspected = introspection == null || introspection.getData() == null ? Map.of() : introspection.getData();
        return run.thenApply(result -> {
            merged.increment();
            ResponseShaper.Shaped shaped = ResponseShaper.shape(supergraph.apiSchema(), operation, result.data(), introspected);
            List<Map<String, Object>> errors = new ArrayList<>(result.errors());
            if (introspection != null) {
                introspection.getErrors().forEach(e -> errors.add(e.toSpecification()));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            if (!errors.isEmpty()) {
                answer.put("errors", errors);
            }
            answer.put("data", shaped.data());
            boolean complete = errors.isEmpty() && shaped.valueCompletion().isEmpty();
            if (errors.isEmpty() && !shaped.valueCompletion().isEmpty()) {
                answer.put("extensions", Map.of("valueCompletion", shaped.valueCompletion()));
            }
            Buffer json = Json.encodeToBuffer(answer);
            if (key != null && complete && versioned.get()) {
                answers.keep(key, json, versions);
            }
            return json;
        });
    }

    /** The answers to the operation's root introspection fields, by response key (the other root fields left out), and their errors. */
    private ExecutionResult introspect(Operation operation) {
        return introspection.execute(ExecutionInput.newExecutionInput(operation.introspectionOnly()).variables(operation.variables()).build());
    }
}
