package io.closedloop.attribution.graphql;

import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.graphql.ReportInputs.ModelInput;
import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.CohortGranularity;
import io.closedloop.attribution.report.ReportViews.ModelComparison;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.service.EngagementReports;
import io.closedloop.attribution.service.PerformanceReports;
import io.closedloop.attribution.report.ReportViews.AccountView;
import io.closedloop.attribution.report.ReportViews.CohortLtvReport;
import io.closedloop.attribution.report.ComputedReport;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunityConnection;
import io.closedloop.attribution.report.ReportViews.DataQuality;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.PipelineInfluence;
import io.closedloop.attribution.report.ReportViews.QualityProblem;
import io.closedloop.attribution.report.ReportViews.QualityTouchConnection;
import io.closedloop.attribution.report.ReportViews.SourcedInfluencedReport;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The reports of DESIGN §5 beyond plain credits (docs/reports.md), in the public graph's shapes: periods of whole days,
 * both ends inclusive; errors name the operation and argument.
 */
@GraphQLApi
public class ReportsApi {

    private static final String FIRST = "Page size: rows (or items) returned, default " + Paging.DEFAULT_PAGE + ", at most "
            + Paging.MAX_PAGE + ".";
    private static final String AFTER = "The endCursor of the previous page; omitted: the first page.";
    /** Most models one modelComparison compares: each is a whole report. */
    static final int MAX_MODELS_COMPARED = 6;

    private final PerformanceReports performance;
    private final EngagementReports engagement;
    private final ReportPeriods reportPeriods;
    private final Caller caller;

    public ReportsApi(PerformanceReports performance, EngagementReports engagement, ReportPeriods periods,
                      Caller caller) {
        this.performance = performance;
        this.engagement = engagement;
        this.reportPeriods = periods;
        this.caller = caller;
    }

    @Query
    @Description("Performance and ROI per channel, source, medium, campaign, content or touch type for a period under one"
            + " model (DESIGN §5 'Performance by channel / campaign'): credit and attributed amount under the basis, spend,"
            + " pipeline, won deals, revenue, ROI, ROAS, CAC, cost per opportunity, average deal size, conversion rate,"
            + " median days to conversion; creditedOpportunities explains each row.")
    public Uni<@NonNull PerformanceMetrics> performance(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE (opportunities created, pipeline amount) or REVENUE (won, won"
                    + " amount).") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after,
            @Description("Also the sampling intervals of the page's rows and the totals (RowInterval): computed on demand, the"
                    + " period's opportunities resampled.") ReportInputs.IntervalInput interval) {
        String op = "performance";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = Paging.first(op + ".first", first);
        // A bad cursor costs no report.
        Paging.check(op + ".after", after, ComputedReport.ORDER);
        ModelOptions options = ReportInputs.options(op, "model", model, basis);
        PerformanceReports.IntervalOptions bounds = ReportInputs.interval(op, interval, options.model(), limit);
        Dimension by = groupBy == null ? Dimension.CHANNEL : groupBy;
        Uni<PerformanceMetrics> page = performance.performance(workspace, range[0], range[1], by, options)
                .map(report -> report.page(op + ".after", after, limit));
        return bounds == null ? page
                : page.chain(p -> performance.withIntervals(workspace, range[0], range[1], by, options, p, bounds));
    }

    @Query
    @Description("The same report under several models side by side (DESIGN §5 'Model comparison'): each model's report"
            + " and one row per group with every model's credit and attributed amount.")
    public Uni<@NonNull ModelComparison> modelComparison(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("One to " + MAX_MODELS_COMPARED + " models, compared in this order.") List<@NonNull ModelInput> models,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after,
            @Description("Also each model's sampling intervals of the page's groups (ComparisonRow.intervals): computed on demand,"
                    + " the period's opportunities resampled, the same draws for every model.") ReportInputs.IntervalInput interval) {
        String op = "modelComparison";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        if (models.isEmpty() || models.size() > MAX_MODELS_COMPARED) {
            throw ReportInputs.bad(op, "models", "give between 1 and " + MAX_MODELS_COMPARED + " models, was " + models.size());
        }
        List<ModelOptions> options = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            options.add(ReportInputs.options(op, "models[" + i + "]", models.get(i), basis));
        }
        int limit = Paging.first(op + ".first", first);
        Paging.check(op + ".after", after, PerformanceReports.COMPARISON_ORDER);
        Dimension by = groupBy == null ? Dimension.CHANNEL : groupBy;
        // One after the other: each may be computed on demand, which a workspace does one at a time anyway.
        Uni<List<ComputedReport>> reports = Uni.createFrom().item(ArrayList::new);
        for (ModelOptions o : options) {
            reports = reports.chain(done -> performance.performance(workspace, range[0], range[1], by, o).map(r -> {
                done.add(r);
                return done;
            }));
        }
        List<PerformanceReports.IntervalOptions> bounds = new ArrayList<>();
        for (ModelOptions o : options) {
            bounds.add(ReportInputs.interval(op, interval, o.model(), limit));
        }
        return reports.chain(all -> {
            ModelComparison comparison = PerformanceReports.compare(all, op + ".after", after, limit);
            return interval == null ? Uni.createFrom().item(comparison)
                    : performance.withIntervals(workspace, range[0], range[1], by, options, all, comparison, bounds.get(0));
        });
    }

    @Query
    @Description("The opportunities behind one performance row, largest attributed amount first, then by id (DESIGN §5"
            + " 'Explaining a number'); every attributed opportunity when key is omitted.")
    public Uni<@NonNull CreditedOpportunityConnection> creditedOpportunities(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension of the key.") Dimension groupBy,
            @Description("The row's key, e.g. paid_search; omitted: every attributed opportunity.") String key,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "creditedOpportunities";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = Paging.first(op + ".first", first);
        return performance.creditedOpportunities(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                key, ReportInputs.options(op, "model", model, basis), op + ".after", after, limit);
    }

    @Query
    @Description("Sourced vs influenced opportunities created in the period, by a touch dimension.")
    public Uni<@NonNull SourcedInfluencedReport> sourcedInfluenced(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "sourcedInfluenced";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = Paging.first(op + ".first", first);
        return engagement.sourcedInfluenced(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                op + ".after", after, limit);
    }

    @Query
    @Description("Share of the pipeline created in the period (open or won) whose account had a marketing touch"
            + " in the windowDays before the opportunity's creation.")
    public Uni<@NonNull PipelineInfluence> pipelineInfluence(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("90") @Description("Days before creation, 1 to 3650.") Integer windowDays) {
        String op = "pipelineInfluence";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int days = windowDays == null ? 90 : windowDays;
        if (days < 1 || days > 3650) {
            throw new IllegalArgumentException(op + ".windowDays: must be 1 to 3650, was " + days);
        }
        return engagement.pipelineInfluence(workspace, range[0], range[1], days);
    }

    @Query
    @Description("Customers whose first won deal closed in the period, by acquisition MONTH or QUARTER and channel.")
    public Uni<@NonNull CohortLtvReport> cohortLtv(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the first won deals' close.") PeriodInput period,
            @DefaultValue("QUARTER") CohortGranularity cohort,
            @DefaultValue("4") @Description("Periods after acquisition to show, 0 to 36.") Integer periods) {
        String op = "cohortLtv";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int n = periods == null ? 4 : periods;
        if (n < 0 || n > 36) {
            throw new IllegalArgumentException(op + ".periods: must be 0 to 36, was " + n);
        }
        return performance.cohortLtv(workspace, range[0], range[1], cohort != CohortGranularity.MONTH, n);
    }

    @Query
    @Description("One account: timeline of touches and stage changes, contacts reached, buying-committee coverage,"
            + " engagement velocity.")
    public Uni<@NonNull AccountView> accountView(@NonNull String accountId,
                                                @Description("Timeline page size: " + FIRST) Integer first,
                                                @Description("The timeline's endCursor of the previous page; omitted: the newest"
                                                        + " entries.") String after) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        if (accountId.isBlank()) {
            throw new IllegalArgumentException("accountView.accountId: is required");
        }
        int limit = Paging.first("accountView.first", first);
        return engagement.accountView(workspace, accountId, "accountView.after", after, limit);
    }

    @Query
    @Description("Data quality over the touches and opportunities of the period.")
    public Uni<@NonNull DataQuality> dataQuality(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches and opportunities checked.") PeriodInput period) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of("dataQuality", period);
        return engagement.dataQuality(workspace, range[0], range[1]);
    }

    @Query
    @Description("The touches behind a data-quality figure (INVALID_UTM, NO_PERSON, NO_ACCOUNT, UNMAPPED_CAMPAIGN), newest first,"
            + " then by id descending.")
    public Uni<@NonNull QualityTouchConnection> dataQualityTouches(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches.") PeriodInput period,
            @NonNull QualityProblem problem,
            @Description(FIRST) Integer first,
            @Description(AFTER) String after) {
        String op = "dataQualityTouches";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = Paging.first(op + ".first", first);
        return engagement.qualityTouches(workspace, range[0], range[1], problem, op + ".after", after, limit);
    }

    @Query
    @Description("Touch types counted as marketing by sourcedInfluenced and pipelineInfluence (the workspace's, or the default).")
    public Uni<@NonNull List<@NonNull TouchType>> marketingTouchTypes() {
        return engagement.marketingTouchTypes(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN)).map(TouchType::of);
    }

    @Mutation
    @Description("Sets the touch types counted as marketing (role admin). Returns the stored list.")
    public Uni<@NonNull List<@NonNull TouchType>> updateMarketingTouchTypes(@NonNull List<@NonNull TouchType> types) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return engagement.setMarketingTouchTypes(workspace, new LinkedHashSet<>(types).stream().map(TouchType::name).toList())
                .map(TouchType::of);
    }
}
