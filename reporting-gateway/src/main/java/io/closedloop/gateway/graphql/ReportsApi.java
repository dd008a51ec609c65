package io.closedloop.gateway.graphql;

import io.closedloop.gateway.client.AnswerCache;
import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.client.SubgraphClient.Subgraph;
import io.closedloop.gateway.reportargs.AttributionQuery;
import io.closedloop.gateway.reportargs.ReportArguments;
import io.closedloop.gateway.reportargs.ReportArguments.Model;
import io.closedloop.gateway.reportargs.ReportArguments.Period;
import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import io.closedloop.plumbing.tenancy.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.closedloop.gateway.graphql.ReportTypes.*;

/**
 * Reports of DESIGN §5, answered by attribution-service. Arguments are checked here first
 * ({@link ReportArguments}); each report is one subgraph call for all its rows, whose answer is
 * kept for a moment for callers asking the same ({@link AnswerCache}).
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
            @DefaultValue("PIPELINE") @Description("PIPELINE (opportunities created, pipeline amount) or REVENUE (won, won amount).") String basis,
            @DefaultValue("CHANNEL") @Description("CHANNEL, SOURCE, MEDIUM, CAMPAIGN, CONTENT or TOUCH_TYPE.") String groupBy,
            @Description("Most rows returned, largest amount first (default 100, at most 1000).") Integer first) {
        String op = "performance";
        Period checkedPeriod = period(op, period);
        Model checkedModel = model(op, "model", model);
        String checkedBasis = ReportArguments.basis(op, basis);
        String checkedGroupBy = ReportArguments.groupBy(op, groupBy);
        int pageSize = ReportArguments.pageSize(op, first);
        return report(checkedPeriod, checkedModel, checkedBasis, checkedGroupBy, pageSize);
    }

    @Query
    @Description("The same report under several models side by side (DESIGN §5 'Model comparison'): one subgraph call "
            + "per model, made in parallel. Gateway-only: the side-by-side rows are merged here.")
    public Uni<@NonNull ModelComparison> modelComparison(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("One to six models, compared in this order.") List<@NonNull ModelInput> models,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") String basis,
            @DefaultValue("CHANNEL") @Description("CHANNEL, SOURCE, MEDIUM, CAMPAIGN, CONTENT or TOUCH_TYPE.") String groupBy,
            @Description("Most side-by-side rows returned (default 100, at most 1000).") Integer first) {
        String op = "modelComparison";
        Period checkedPeriod = period(op, period);
        ReportArguments.modelCount(op, models.size());
        List<Model> checkedModels = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            checkedModels.add(model(op, "models[" + i + "]", models.get(i)));
        }
        String checkedBasis = ReportArguments.basis(op, basis);
        String checkedGroupBy = ReportArguments.groupBy(op, groupBy);
        int pageSize = ReportArguments.pageSize(op, first);
        List<Uni<PerformanceReport>> calls = checkedModels.stream()
                .map(m -> report(checkedPeriod, m, checkedBasis, checkedGroupBy, ReportArguments.MAX_PAGE_SIZE))
                .toList();
        return Uni.combine().all().unis(calls).with(PerformanceReport.class, reports -> compare(reports, pageSize));
    }

    @Query
    @Description("One opportunity's journey with milestones and each touch's credit under a model (DESIGN §5 "
            + "'Opportunity view'). From attribution-service.")
    public Uni<@NonNull OpportunityJourney> opportunityJourney(
            @NonNull @Description("The opportunity's id.") String opportunityId,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") String basis) {
        String op = "opportunityJourney";
        String id = ReportArguments.requiredId(op, "opportunityId", opportunityId);
        Model checkedModel = model(op, "model", model);
        String checkedBasis = ReportArguments.basis(op, basis);
        return attribution(AttributionQuery.journey(id, checkedModel, checkedBasis),
                data -> journey(data.getJsonObject("journey"), id, checkedModel.name(), checkedBasis));
    }

    @Query
    @Description("The opportunities behind one performance row, largest attributed amount first (DESIGN §5 'Explaining a "
            + "number'); every attributed opportunity when key is omitted. From attribution-service.")
    public Uni<@NonNull List<@NonNull CreditedOpportunity>> creditedOpportunities(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") String basis,
            @DefaultValue("CHANNEL") @Description("CHANNEL, SOURCE, MEDIUM, CAMPAIGN, CONTENT or TOUCH_TYPE.") String groupBy,
            @Description("The row's key, e.g. paid_search; omitted: every attributed opportunity.") String key,
            @Description("Most opportunities returned (default 100, at most 1000).") Integer first) {
        String op = "creditedOpportunities";
        Period checkedPeriod = period(op, period);
        Model checkedModel = model(op, "model", model);
        String checkedBasis = ReportArguments.basis(op, basis);
        String checkedGroupBy = ReportArguments.groupBy(op, groupBy);
        int pageSize = ReportArguments.pageSize(op, first);
        String query = AttributionQuery.creditedOpportunities(checkedPeriod, checkedModel, checkedBasis, checkedGroupBy, key, pageSize,
                CreditedOpportunity.class);
        return attribution(query, data -> list(data, op, CreditedOpportunity.class));
    }

    @Query
    @Description("Sourced vs influenced opportunities created in the period, by a touch dimension (DESIGN §5). The touch "
            + "types counted as marketing are an attribution setting. From attribution-service.")
    public Uni<@NonNull SourcedInfluencedReport> sourcedInfluenced(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("CHANNEL") @Description("CHANNEL, SOURCE, MEDIUM, CAMPAIGN, CONTENT or TOUCH_TYPE.") String groupBy) {
        String op = "sourcedInfluenced";
        String arguments = "groupBy: " + ReportArguments.groupBy(op, groupBy);
        return attribution(AttributionQuery.periodReport(op, period(op, period), arguments, SourcedInfluencedReport.class),
                data -> object(data, op, SourcedInfluencedReport.class));
    }

    @Query
    @Description("Pipeline influence (DESIGN §5): the share of the pipeline created in the period, open or won, whose "
            + "account had a marketing touch in the windowDays before the opportunity's creation. From attribution-service.")
    public Uni<@NonNull PipelineInfluence> pipelineInfluence(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("90") @Description("Days before creation, 1 to 3650.") Integer windowDays) {
        String op = "pipelineInfluence";
        String arguments = windowDays == null ? "" : "windowDays: " + windowDays;
        return attribution(AttributionQuery.periodReport(op, period(op, period), arguments, PipelineInfluence.class),
                data -> object(data, op, PipelineInfluence.class));
    }

    @Query
    @Description("Cohort LTV (DESIGN §5): customers whose first won deal closed in the period, by acquisition MONTH or "
            + "QUARTER and first-touch channel, cumulative revenue per customer, LTV, CAC and LTV:CAC. From attribution-service.")
    public Uni<@NonNull CohortLtvReport> cohortLtv(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the first won deals' close.") PeriodInput period,
            @DefaultValue("QUARTER") @Description("MONTH or QUARTER.") String cohort,
            @DefaultValue("4") @Description("Periods after acquisition to show, 0 to 36.") Integer periods) {
        String op = "cohortLtv";
        String arguments = "cohort: " + AttributionQuery.string(cohort == null ? "QUARTER" : cohort)
                + (periods == null ? "" : ", periods: " + periods);
        return attribution(AttributionQuery.periodReport(op, period(op, period), arguments, CohortLtvReport.class),
                data -> object(data, op, CohortLtvReport.class));
    }

    @Query
    @Description("One account (DESIGN §5 'Account view'): timeline of touches and stage changes, contacts reached, "
            + "buying-committee coverage, engagement velocity. From attribution-service.")
    public Uni<@NonNull AccountView> accountView(@NonNull @Description("The account's id.") String accountId,
                                                @DefaultValue("1000") @Description("Most timeline entries returned (the most recent), 1 to 10000.")
                                                Integer first) {
        String op = "accountView";
        String id = ReportArguments.requiredId(op, "accountId", accountId);
        int n = first == null ? 1000 : first;
        if (n < 1 || n > 10_000) {
            throw new IllegalArgumentException(op + ".first: 1 to 10000, was " + n);
        }
        return attribution(AttributionQuery.accountView(id, n, AccountView.class), data -> object(data, op, AccountView.class));
    }

    @Query
    @Description("Data quality (DESIGN §5) over the touches and opportunities of the period. From attribution-service.")
    public Uni<@NonNull DataQuality> dataQuality(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches and opportunities checked.") PeriodInput period) {
        String op = "dataQuality";
        return attribution(AttributionQuery.periodReport(op, period(op, period), "", DataQuality.class),
                data -> object(data, op, DataQuality.class));
    }

    @Query
    @Description("The touches behind a data-quality figure, newest first: INVALID_UTM (UTMs the taxonomy could not place),"
            + " NO_PERSON, NO_ACCOUNT (resolved to no person / no company), UNMAPPED_CAMPAIGN. From attribution-service.")
    public Uni<@NonNull List<@NonNull QualityTouch>> dataQualityTouches(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches.") PeriodInput period,
            @NonNull @Description("INVALID_UTM, NO_PERSON, NO_ACCOUNT or UNMAPPED_CAMPAIGN.") String problem,
            @DefaultValue("100") @Description("Most touches returned, 1 to 1000.") Integer first) {
        String op = "dataQualityTouches";
        String kind = problem.strip().toUpperCase(java.util.Locale.ROOT);
        if (!List.of("INVALID_UTM", "NO_PERSON", "NO_ACCOUNT", "UNMAPPED_CAMPAIGN").contains(kind)) {
            throw new IllegalArgumentException(op + ".problem: '" + problem + "' is not INVALID_UTM, NO_PERSON, NO_ACCOUNT or UNMAPPED_CAMPAIGN");
        }
        int n = first == null ? 100 : first;
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException(op + ".first: 1 to 1000, was " + n);
        }
        return attribution(AttributionQuery.periodReport(op, period(op, period), "problem: " + kind + ", first: " + n, QualityTouch.class),
                data -> data.getJsonArray(op).stream().map(o -> ((JsonObject) o).mapTo(QualityTouch.class)).toList());
    }

    private Uni<PerformanceReport> report(Period period, Model model, String basis, String groupBy, int pageSize) {
        AttributionQuery.Operation performance = AttributionQuery.performance(period, model, basis, groupBy, pageSize, ReportRow.class);
        String question = performance.query() + '\n' + new JsonObject(performance.variables()).encode() + '\n' + model.name() + ' ' + pageSize;
        return answers.get(caller.access(), question, () -> subgraphs.query(Subgraph.ATTRIBUTION, performance.query(),
                        performance.variables(), caller.rawToken())
                .map(data -> performanceReport(object(data, "performance", JsonObject.class), model.name(), basis, groupBy, pageSize)));
    }

    /** {@code query} (arguments written into it) asked of attribution-service, its data turned into the gateway's answer. */
    private <T> Uni<T> attribution(String query, Function<JsonObject, T> answer) {
        return answers.get(caller.access(), query, () -> subgraphs.query(Subgraph.ATTRIBUTION, query, Map.of(), caller.rawToken())
                .map(answer));
    }

    /** The subgraph's answer to {@code operation}, as the gateway type of the same shape. */
    private static <T> T object(JsonObject data, String operation, Class<T> type) {
        JsonObject json = data == null ? null : data.getJsonObject(operation);
        if (json == null) {
            throw new io.closedloop.gateway.client.SubgraphException("attribution-service returned no " + operation);
        }
        return type == JsonObject.class ? type.cast(json) : json.mapTo(type);
    }

    private static <T> List<T> list(JsonObject data, String operation, Class<T> type) {
        JsonArray json = data == null ? null : data.getJsonArray(operation);
        if (json == null) {
            throw new io.closedloop.gateway.client.SubgraphException("attribution-service returned no " + operation);
        }
        return json.stream().map(o -> ((JsonObject) o).mapTo(type)).toList();
    }

    private static Period period(String op, PeriodInput period) {
        return ReportArguments.period(op, period.from(), period.to());
    }

    private static Model model(String op, String field, ModelInput model) {
        WeightsInput w = model.weights();
        Weights weights = w == null ? null : new Weights(w.ft(), w.lc(), w.oc(), w.cw(), w.middle());
        return ReportArguments.model(op, field, model.name(), model.halfLifeDays(), model.lookbackDays(), weights, model.markovOrder())
                .withJourneyScope(ReportArguments.journeyScope(op, field + ".journeyScope", model.journeyScope()));
    }

    static PerformanceReport performanceReport(JsonObject json, String model, String basis, String groupBy, int pageSize) {
        List<ReportRow> rows = new ArrayList<>();
        for (Object o : array(json, "rows")) {
            rows.add(((JsonObject) o).mapTo(ReportRow.class));
        }
        // Largest first, so a capped page keeps what matters most; ties by key for a stable order.
        rows.sort((a, b) -> a.amount() != b.amount() ? Double.compare(b.amount(), a.amount()) : String.valueOf(a.key()).compareTo(String.valueOf(b.key())));
        int total = json.getInteger("totalRows", rows.size());
        return new PerformanceReport(model, basis, groupBy, json.getString("dataAsOf"),
                List.copyOf(rows.subList(0, Math.min(pageSize, total))), total, json.getJsonObject("totals").mapTo(ReportRow.class));
    }

    static ModelComparison compare(List<PerformanceReport> reports, int pageSize) {
        Map<String, double[][]> byKey = new LinkedHashMap<>();
        for (int m = 0; m < reports.size(); m++) {
            for (ReportRow row : reports.get(m).rows()) {
                double[][] values = byKey.computeIfAbsent(row.key(), k -> new double[2][reports.size()]);
                values[0][m] = row.credit();
                values[1][m] = row.amount();
            }
        }
        List<ComparisonRow> rows = new ArrayList<>();
        byKey.forEach((key, values) -> rows.add(new ComparisonRow(key, toList(values[0]), toList(values[1]))));
        rows.sort((a, b) -> Double.compare(b.amounts().get(0), a.amounts().get(0)));
        return new ModelComparison(reports.stream().map(PerformanceReport::model).toList(), reports,
                List.copyOf(rows.subList(0, Math.min(pageSize, rows.size()))));
    }

    static OpportunityJourney journey(JsonObject json, String id, String model, String basis) {
        if (json == null) {
            throw new IllegalArgumentException("opportunityJourney.opportunityId: no opportunity '" + id + "' in the caller's workspace");
        }
        List<JourneyTouch> touches = new ArrayList<>();
        for (Object o : array(json, "touches")) {
            JsonObject t = (JsonObject) o;
            List<String> milestones = new ArrayList<>();
            if (t.getBoolean("firstTouch", false)) milestones.add("FT");
            if (t.getBoolean("leadCreation", false)) milestones.add("LC");
            if (t.getBoolean("opportunityCreation", false)) milestones.add("OC");
            if (t.getBoolean("closedWon", false)) milestones.add("CW");
            touches.add(new JourneyTouch(t.getString("id"), t.getString("occurredAt"), t.getString("channel"),
                    t.getString("type"), milestones, number(t, "credit"), number(t, "amount")));
        }
        return new OpportunityJourney(json.getString("opportunityId", id), model, basis, number(json, "amount"),
                json.getString("dataAsOf"), touches);
    }

    private static List<Double> toList(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }

    private static JsonArray array(JsonObject json, String field) {
        JsonArray array = json.getJsonArray(field);
        return array == null ? new JsonArray() : array;
    }

    private static double number(JsonObject json, String field) {
        Number n = json.getNumber(field);
        return n == null ? 0 : n.doubleValue();
    }
}
