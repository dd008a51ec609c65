package io.closedloop.gateway.graphql;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.execution.AsyncExecutionStrategy;
import graphql.execution.ExecutionContext;
import graphql.execution.ExecutionStrategyParameters;
import io.closedloop.gateway.client.AnswerCache;
import io.closedloop.plumbing.graphql.RootFieldLimit;
import io.closedloop.plumbing.tenancy.Caller;
import io.quarkus.arc.Arc;
import io.smallrye.graphql.execution.ExecutionResponse;
import io.smallrye.graphql.execution.error.ExceptionHandler;
import io.smallrye.graphql.spi.EventingService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.concurrent.CompletableFuture;

/**
 * Answers a query document the gateway has just answered for a caller of the same workspace and
 * roles from {@link AnswerCache}, without executing it again: executing a report's 200 fields and
 * writing their numbers are most of what the gateway spends on a request (the token is still checked
 * on every request), and dashboards send the same
 * few documents over and over. Only results without errors are kept; mutations always run. The
 * document, its operation name and variables are the question, so every argument counts. Installed
 * as the query execution strategy, with SmallRye's exception handler (as SmallRye's own would be);
 * registered through {@code META-INF/services} (SmallRye loads eventing services with the
 * ServiceLoader, so the cache and the caller are looked up in the container).
 */
public class CachedQueries implements EventingService {

    @Override
    public String getConfigKey() {
        return null;
    }

    @Override
    public GraphQL.Builder beforeGraphQLBuild(GraphQL.Builder builder) {
        return builder.queryExecutionStrategy(new Strategy());
    }

    private static final class Strategy extends AsyncExecutionStrategy {

        // Client proxies, looked up once (a lookup builds an injection point each time); the caller's proxy reaches the
        // current request's Caller.
        private volatile AnswerCache answers;
        private volatile Caller caller;

        Strategy() {
            super(new ExceptionHandler());
        }

        @Override
        public CompletableFuture<ExecutionResult> execute(ExecutionContext context, ExecutionStrategyParameters parameters) {
            ExecutionResult refused = RootFieldLimit.refusal(parameters);
            if (refused != null) {
                return CompletableFuture.completedFuture(refused);
            }
            if (answers == null) {
                caller = Arc.container().instance(Caller.class).get();
                answers = Arc.container().instance(AnswerCache.class).get(); // written last: seen set, both are
            }
            ExecutionInput input = context.getExecutionInput();
            // JSON: no two different requests write the same text (Map.toString would not escape a comma in a value).
            String question = "query document " + new JsonArray().add(input.getQuery()).add(input.getOperationName())
                    .add(new JsonObject(input.getVariables())).encode();
            return answers.get(caller.access(), question, () -> Uni.createFrom().completionStage(() -> super.execute(context, parameters))
                                    .map(CachedQueries::asJson),
                            (ExecutionResult result) -> result.getErrors().isEmpty())
                    .subscribeAsCompletionStage();
        }
    }

    /**
     * A result without errors with its data already turned into JSON values, as SmallRye would turn it for every answer:
     * SmallRye writes a JSON value as it is, so an answer served again from the cache is not converted again (the numbers
     * of a report were most of that work).
     */
    private static ExecutionResult asJson(ExecutionResult result) {
        if (!result.getErrors().isEmpty() || !result.isDataPresent()) {
            return result;
        }
        JsonValue data = new ExecutionResponse(result).getExecutionResultAsJsonObject().get("data");
        return ExecutionResult.newExecutionResult().data(data).extensions(result.getExtensions()).build();
    }
}
