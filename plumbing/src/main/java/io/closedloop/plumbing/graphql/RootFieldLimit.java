package io.closedloop.plumbing.graphql;

import graphql.ExecutionResult;
import graphql.ExecutionResultImpl;
import graphql.GraphQL;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AsyncExecutionStrategy;
import graphql.execution.AsyncSerialExecutionStrategy;
import graphql.execution.ExecutionContext;
import graphql.execution.ExecutionStrategyParameters;
import io.smallrye.graphql.execution.error.ExceptionHandler;
import io.smallrye.graphql.spi.EventingService;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.concurrent.CompletableFuture;

/**
 * At most {@code closedloop.graphql.max-root-fields} (default 20) root fields per operation, aliases counted: the
 * complexity limit counts fields, so one document of a hundred aliased reports, each a full computation, would pass it.
 * Installed as the query and mutation execution strategies (with SmallRye's exception handler, as SmallRye's own would
 * be) where {@code closedloop.graphql.root-field-limit=true}; the gateway, whose query strategy is its answer cache,
 * calls {@link #refusal} itself.
 */
public class RootFieldLimit implements EventingService {

    @Override
    public String getConfigKey() {
        return "closedloop.graphql.root-field-limit";
    }

    @Override
    public GraphQL.Builder beforeGraphQLBuild(GraphQL.Builder builder) {
        return builder.queryExecutionStrategy(new Parallel()).mutationExecutionStrategy(new Serial());
    }

    /** An error result when the operation selects more root fields than the limit; null when it may run. */
    public static ExecutionResult refusal(ExecutionStrategyParameters parameters) {
        int max = Max.VALUE;
        int fields = parameters.getFields().size();
        if (fields <= max) {
            return null;
        }
        return new ExecutionResultImpl(GraphqlErrorBuilder.newError()
                .message("the operation selects " + fields + " root fields (aliases counted); at most " + max + " are allowed")
                .build());
    }

    /** The limit, read from configuration once (on first use, when the configuration is there), not per request. */
    private static final class Max {
        static final int VALUE = ConfigProvider.getConfig().getOptionalValue("closedloop.graphql.max-root-fields", Integer.class)
                .orElse(20);
    }

    private static final class Parallel extends AsyncExecutionStrategy {
        Parallel() {
            super(new ExceptionHandler());
        }

        @Override
        public CompletableFuture<ExecutionResult> execute(ExecutionContext context, ExecutionStrategyParameters parameters) {
            ExecutionResult refused = refusal(parameters);
            return refused != null ? CompletableFuture.completedFuture(refused) : super.execute(context, parameters);
        }
    }

    private static final class Serial extends AsyncSerialExecutionStrategy {
        Serial() {
            super(new ExceptionHandler());
        }

        @Override
        public CompletableFuture<ExecutionResult> execute(ExecutionContext context, ExecutionStrategyParameters parameters) {
            ExecutionResult refused = refusal(parameters);
            return refused != null ? CompletableFuture.completedFuture(refused) : super.execute(context, parameters);
        }
    }
}
