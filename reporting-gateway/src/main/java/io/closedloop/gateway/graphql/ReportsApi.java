package io.closedloop.gateway.graphql;

import io.closedloop.gateway.client.AnswerCache;
import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.client.SubgraphClient.Subgraph;
import io.closedloop.gateway.reportargs.AttributionQuery;
import io.closedloop.gateway.reportargs.ReportArguments;
import io.closedloop.gateway.reportargs.AttributionQuery.Argument;
import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import io.closedloop.plumbing.tenancy.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;
import java.util.function.Function;

import static io.closedloop.gateway.graphql.ReportTypes.*;

/**
 * Reports of DESIGN §5, answered by attribution-service, whose schema takes and returns the same types. Periods and
 * models are checked here first ({@link ReportArguments}); each report is one subgraph call for all its rows, whose answer
 * is kept for a moment for callers asking the same ({@link AnswerCache}).
 */
@GraphQLApi
public class ReportsApi {

    private final SubgraphClient subgraphs;
    private final AnswerCache answers;
    private final Caller caller;

    public ReportsApi(SubgraphClient subgraphs, AnswerCache answers, Caller caller) {
        this.subgraphs = subgraphs;
        this.answers = answers;
        this.caller = caller;
    }

    @Query
    @Description("Performance and ROI per channel, source, medium, campaign, content or touch type for a period under one "
            + "model (DESIGN §5 'Performance by channel / campaign'): credit and attributed amount under the basis, spend, "
            + "pipeline, won deals, revenue, ROI, ROAS, CAC, cost per opportunity, average deal size, conversion rate, median "
            + "days to conversion. From attribution-service; creditedOpportunities explains each row.")
    public Uni<@NonNull PerformanceReport> performance(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE (opportunities created, pipeline amount) or REVENUE (won, won amount).") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "performance";
        check(op, period);
        check(op, "model", model);
        return attribution(op, PerformanceReport.class, new Argument("period", "PeriodInput!", period),
                new Argument("model", "ModelInput!", model), new Argument("basis", "Basis", basis),
                new Argument("groupBy", "Dimension", groupBy), new Argument("first", "Int", ReportArguments.pageSize(op, first)),
                new Argument("after", "String", after));
    }

    private static final String FIRST = "Page size: rows (or items) returned, default " + ReportArguments.DEFAULT_PAGE_SIZE
            + ", at most " + ReportArguments.MAX_PAGE_SIZE + ".";
    private static final String AFTER = "The endCursor of the previous page; omitted: the first page.";

    @Query
    @Description("The same report under several models side by side (DESIGN §5 'Model comparison'): each model's report"
            + " and one row per group with every model's credit and attributed amount. From attribution-service.")
    public Uni<@NonNull ModelComparison> modelComparison(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("One to six models, compared in this order.") List<@NonNull ModelInput> models,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "modelComparison";
        check(op, period);
        ReportArguments.modelCount(op, models.size());
        for (int i = 0; i < models.size(); i++) {
            check(op, "models[" + i + "]", models.get(i));
        }
        return attribution(op, ModelComparison.class, new Argument("period", "PeriodInput!", period),
                new Argument("models", "[ModelInput!]!", models), new Argument("basis", "Basis", basis),
                new Argument("groupBy", "Dimension", groupBy), new Argument("first", "Int", ReportArguments.pageSize(op, first)),
                new Argument("after", "String", after));
    }

    @Query
    @Description("One opportunity's journey with milestones and each touch's credit under a rule-based model (DESIGN §5 "
            + "'Opportunity view'). From attribution-service.")
    public Uni<@NonNull OpportunityJourney> opportunityJourney(
            @NonNull @Description("The opportunity's id.") String opportunityId,
            @NonNull @Description("The attribution model and its parameters: a rule-based one (MARKOV and SHAPLEY learn "
                    + "from a period's population; ask performance).") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis) {
        String op = "opportunityJourney";
        ReportArguments.requiredId(op, "opportunityId", opportunityId);
        check(op, "model", model);
        return attribution(op, OpportunityJourney.class, new Argument("opportunityId", "String!", opportunityId),
                new Argument("model", "ModelInput!", model), new Argument("basis", "Basis", basis));
    }

    @Query
    @Description("The opportunities behind one performance row, largest attributed amount first, then by id (DESIGN §5 "
            + "'Explaining a number'); every attributed opportunity when key is omitted. From attribution-service.")
    public Uni<@NonNull CreditedOpportunityConnection> creditedOpportunities(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension of the key.") Dimension groupBy,
            @Description("The row's key, e.g. paid_search; omitted: every attributed opportunity.") String key,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "creditedOpportunities";
        check(op, period);
        check(op, "model", model);
        return attribution(op, CreditedOpportunityConnection.class, new Argument("period", "PeriodInput!", period),
                new Argument("model", "ModelInput!", model), new Argument("basis", "Basis", basis),
                new Argument("groupBy", "Dimension", groupBy), new Argument("key", "String", key),
                new Argument("first", "Int", ReportArguments.pageSize(op, first)), new Argument("after", "String", after));
    }

    @Query
    @Description("Sourced vs influenced opportunities created in the period, by a touch dimension (DESIGN §5). The touch "
            + "types counted as marketing are an attribution setting. From attribution-service.")
    public Uni<@NonNull SourcedInfluencedReport> sourcedInfluenced(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "sourcedInfluenced";
        check(op, period);
        return attribution(op, SourcedInfluencedReport.class, new Argument("period", "PeriodInput!", period),
                new Argument("groupBy", "Dimension", groupBy), new Argument("first", "Int", ReportArguments.pageSize(op, first)),
                new Argument("after", "String", after));
    }

    @Query
    @Description("Pipeline influence (DESIGN §5): the share of the pipeline created in the period, open or won, whose "
            + "account had a marketing touch in the windowDays before the opportunity's creation. From attribution-service.")
    public Uni<@NonNull PipelineInfluence> pipelineInfluence(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("90") @Description("Days before creation, 1 to 3650.") Integer windowDays) {
        String op = "pipelineInfluence";
        check(op, period);
        return attribution(op, PipelineInfluence.class, new Argument("period", "PeriodInput!", period),
                new Argument("windowDays", "Int", windowDays));
    }

    @Query
    @Description("Cohort LTV (DESIGN §5): customers whose first won deal closed in the period, by acquisition MONTH or "
            + "QUARTER and first-touch channel, cumulative revenue per customer, LTV, CAC and LTV:CAC. From attribution-service.")
    public Uni<@NonNull CohortLtvReport> cohortLtv(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the first won deals' close.") PeriodInput period,
            @DefaultValue("QUARTER") @Description("MONTH or QUARTER.") CohortGranularity cohort,
            @DefaultValue("4") @Description("Periods after acquisition to show, 0 to 36.") Integer periods) {
        String op = "cohortLtv";
        check(op, period);
        return attribution(op, CohortLtvReport.class, new Argument("period", "PeriodInput!", period),
                new Argument("cohort", "CohortGranularity", cohort), new Argument("periods", "Int", periods));
    }

    @Query
    @Description("One account (DESIGN §5 'Account view'): timeline of touches and stage changes, contacts reached, "
            + "buying-committee coverage, engagement velocity. From attribution-service.")
    public Uni<@NonNull AccountView> accountView(@NonNull @Description("The account's id.") String accountId,
                                                @Description("Timeline page size: " + FIRST) Integer first,
                                                @Description("The timeline's endCursor of the previous page; omitted: the newest"
                                                        + " entries.") String after) {
        String op = "accountView";
        ReportArguments.requiredId(op, "accountId", accountId);
        return attribution(op, AccountView.class, new Argument("accountId", "String!", accountId),
                new Argument("first", "Int", ReportArguments.pageSize(op, first)), new Argument("after", "String", after));
    }

    @Query
    @Description("Data quality (DESIGN §5) over the touches and opportunities of the period. From attribution-service.")
    public Uni<@NonNull DataQuality> dataQuality(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches and opportunities checked.") PeriodInput period) {
        String op = "dataQuality";
        check(op, period);
        return attribution(op, DataQuality.class, new Argument("period", "PeriodInput!", period));
    }

    @Query
    @Description("The touches behind a data-quality figure, newest first, then by id descending. From attribution-service.")
    public Uni<@NonNull QualityTouchConnection> dataQualityTouches(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches.") PeriodInput period,
            @NonNull @Description("Which figure's touches.") QualityProblem problem,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "dataQualityTouches";
        check(op, period);
        return attribution(op, QualityTouchConnection.class, new Argument("period", "PeriodInput!", period),
                new Argument("problem", "QualityProblem!", problem), new Argument("first", "Int", ReportArguments.pageSize(op, first)),
                new Argument("after", "String", after));
    }

    /** {@code operation} of attribution-service with {@code arguments}, its answer as the gateway type of the same shape. */
    private <T> Uni<T> attribution(String operation, Class<T> type, Argument... arguments) {
        return ask(AttributionQuery.of(operation, type, arguments), data -> object(data, operation, type));
    }

    /** {@code query} asked of attribution-service (or answered from the answer cache), its data turned into the answer. */
    private <T> Uni<T> ask(AttributionQuery.Operation query, Function<JsonObject, T> answer) {
        String question = query.query() + '\n' + new JsonObject(query.variables()).encode();
        return answers.get(caller.access(), question, () -> subgraphs.query(Subgraph.ATTRIBUTION, query.query(), query.variables(),
                caller.rawToken()).map(answer));
    }

    /** The subgraph's answer to {@code operation}, as the gateway type of the same shape. */
    private static <T> T object(JsonObject data, String operation, Class<T> type) {
        JsonObject json = data == null ? null : data.getJsonObject(operation);
        if (json == null) {
            throw new io.closedloop.gateway.client.SubgraphException("attribution-service returned no " + operation);
        }
        return json.mapTo(type);
    }

    /** The period's dates checked here, so a bad one costs no subgraph call. */
    private static void check(String op, PeriodInput period) {
        ReportArguments.period(op, period.from(), period.to());
    }

    /** The model's parameters checked here, so a bad one costs no subgraph call. */
    private static void check(String op, String field, ModelInput model) {
        WeightsInput w = model.weights();
        Weights weights = w == null ? null : new Weights(w.ft(), w.lc(), w.oc(), w.cw(), w.middle());
        ReportArguments.model(op, field, model.name().name(), model.halfLifeDays(), model.lookbackDays(), weights, model.markovOrder());
    }

}
