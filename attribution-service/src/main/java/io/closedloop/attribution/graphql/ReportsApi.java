package io.closedloop.attribution.graphql;

import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.graphql.ReportInputs.ModelInput;
import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.CohortGranularity;
import io.closedloop.attribution.report.ReportViews.ModelComparison;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.EngagementReports;
import io.closedloop.attribution.report.PerformanceReports;
import io.closedloop.attribution.report.ReportRepository;
import io.closedloop.attribution.report.ReportViews.AccountView;
import io.closedloop.attribution.report.ReportViews.CohortLtvReport;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunity;
import io.closedloop.attribution.report.ReportViews.DataQuality;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.PipelineInfluence;
import io.closedloop.attribution.report.ReportViews.QualityProblem;
import io.closedloop.attribution.report.ReportViews.QualityTouch;
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

    /** Rows, opportunities or touches one page returns by default and at most. */
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    /** Most models one modelComparison compares: each is a whole report. */
    static final int MAX_MODELS_COMPARED = 6;

    private final PerformanceReports performance;
    private final EngagementReports engagement;
    private final ReportRepository reports;
    private final ReportPeriods reportPeriods;
    private final Caller caller;

    public ReportsApi(PerformanceReports performance, EngagementReports engagement, ReportRepository reports, ReportPeriods periods,
                      Caller caller) {
        this.performance = performance;
        this.engagement = engagement;
        this.reports = reports;
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
            @Description("Most rows returned, largest amount first (default " + DEFAULT_PAGE + ", at most " + MAX_PAGE
                    + "); totalRows counts them all.") Integer first) {
        String op = "performance";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = ReportInputs.first(op, first, DEFAULT_PAGE, MAX_PAGE);
        return performance.performance(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                ReportInputs.options(op, "model", model, basis)).map(report -> report.first(limit));
    }

    @Query
    @Description("The same report under several models side by side (DESIGN §5 'Model comparison'): each model's report"
            + " and one row per group with every model's credit and attributed amount.")
    public Uni<@NonNull ModelComparison> modelComparison(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("One to " + MAX_MODELS_COMPARED + " models, compared in this order.") List<@NonNull ModelInput> models,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the rows are grouped by.") Dimension groupBy,
            @Description("Most side-by-side rows returned (default " + DEFAULT_PAGE + ", at most " + MAX_PAGE + ").") Integer first) {
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
        int limit = ReportInputs.first(op, first, DEFAULT_PAGE, MAX_PAGE);
        Dimension by = groupBy == null ? Dimension.CHANNEL : groupBy;
        // One after the other: each may be computed on demand, which a workspace does one at a time anyway.
        Uni<List<PerformanceMetrics>> reports = Uni.createFrom().item(ArrayList::new);
        for (ModelOptions o : options) {
            reports = reports.chain(done -> performance.performance(workspace, range[0], range[1], by, o).map(r -> {
                done.add(r.first(MAX_PAGE));
                return done;
            }));
        }
        return reports.map(all -> PerformanceReports.compare(all, limit));
    }

    @Query
    @Description("The opportunities behind one performance row, largest attributed amount first (DESIGN §5 'Explaining a"
            + " number'); every attributed opportunity when key is omitted.")
    public Uni<@NonNull List<@NonNull CreditedOpportunity>> creditedOpportunities(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension of the key.") Dimension groupBy,
            @Description("The row's key, e.g. paid_search; omitted: every attributed opportunity.") String key,
            @Description("Most opportunities returned (default " + DEFAULT_PAGE + ", at most " + MAX_PAGE + ").") Integer first) {
        String op = "creditedOpportunities";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        int limit = ReportInputs.first(op, first, DEFAULT_PAGE, MAX_PAGE);
        return performance.creditedOpportunities(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                key, ReportInputs.options(op, "model", model, basis), limit);
    }

    @Query
    @Description("Sourced vs influenced opportunities created in the period, by a touch dimension.")
    public Uni<@NonNull SourcedInfluencedReport> sourcedInfluenced(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the opportunities' creation.") PeriodInput period,
            @DefaultValue("CHANNEL") Dimension groupBy) {
        String op = "sourcedInfluenced";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of(op, period);
        return engagement.sourcedInfluenced(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy);
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
                                                @DefaultValue("1000") @Description("Most timeline entries returned (the most recent), 1 to 10000.")
                                                Integer first) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        if (accountId.isBlank()) {
            throw new IllegalArgumentException("accountView.accountId: is required");
        }
        int limit = first == null ? 1000 : first;
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("accountView.first: must be 1 to 10000, was " + limit);
        }
        return engagement.accountView(workspace, accountId, limit);
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
    @Description("The touches behind a data-quality figure (INVALID_UTM, NO_PERSON, NO_ACCOUNT, UNMAPPED_CAMPAIGN), newest first;"
            + " at most `first` (1 to 1000, default 100).")
    public Uni<@NonNull List<@NonNull QualityTouch>> dataQualityTouches(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the touches.") PeriodInput period,
            @NonNull QualityProblem problem,
            @DefaultValue("100") @Description("Most touches returned, 1 to 1000.") Integer first) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = reportPeriods.of("dataQualityTouches", period);
        int limit = ReportInputs.first("dataQualityTouches", first, DEFAULT_PAGE, MAX_PAGE);
        return reports.qualityTouches(workspace, range[0], range[1], problem, limit);
    }

    @Query
    @Description("Touch types counted as marketing by sourcedInfluenced and pipelineInfluence (the workspace's, or the default).")
    public Uni<@NonNull List<@NonNull TouchType>> marketingTouchTypes() {
        return reports.marketingTouchTypes(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN)).map(TouchType::of);
    }

    @Mutation
    @Description("Sets the touch types counted as marketing (role admin). Returns the stored list.")
    public Uni<@NonNull List<@NonNull TouchType>> updateMarketingTouchTypes(@NonNull List<@NonNull TouchType> types) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return reports.setMarketingTouchTypes(workspace, new LinkedHashSet<>(types).stream().map(TouchType::name).toList())
                .map(TouchType::of);
    }
}
