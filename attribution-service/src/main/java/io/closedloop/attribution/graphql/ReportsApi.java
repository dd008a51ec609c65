package io.closedloop.attribution.graphql;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
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
import java.util.Locale;
import java.util.Set;

/**
 * The reports of DESIGN §5 beyond plain credits (docs/reports.md). Periods are [from, to) like
 * `attribution`; errors name the operation and argument.
 */
@GraphQLApi
public class ReportsApi {

    /** Touch types of docs/feeds.md, the only values marketingTouchTypes accepts. */
    static final Set<String> TOUCH_TYPES = Set.of("PAGE_VIEW", "SCREEN_VIEW", "FORM_FILL", "EMAIL_CLICK", "AD_CLICK",
            "WEBINAR", "EVENT", "CALL", "DIRECT_MAIL", "SALES_OUTREACH", "HOW_DID_YOU_HEAR", "TRACK");
    static final int MAX_PAGE = 1000;

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
    @Description("Performance by a touch dimension with spend, pipeline, won deals, revenue, ROI, ROAS, CAC, cost per"
            + " opportunity, average deal size, conversion rate and median time to conversion (docs/reports.md).")
    public Uni<@NonNull PerformanceMetrics> performance(
            @NonNull @Description("ISO-8601 date or instant, inclusive.") String from,
            @NonNull @Description("ISO-8601 date or instant, exclusive.") String to,
            @DefaultValue("linear") String model, @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy, Double halfLifeDays, Integer lookbackDays, Integer markovOrder,
            CustomWeights customWeights,
            @Description("ACCOUNT (every person of the account) or CONTACT_ROLES (only the opportunity's contact roles);"
                    + " default: the workspace's. CONTACT_ROLES is computed on demand (the rollups hold ACCOUNT journeys).")
            JourneyScope journeyScope,
            @DefaultValue("1000") @Description("Most rows returned (the largest), 1 to 10000; totalRows counts them all.") Integer first) {
        String op = "performance";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of(op, from, to);
        int limit = first == null ? 1000 : first;
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("performance.first: must be 1 to 10000, was " + limit);
        }
        return performance.performance(workspace, period[0], period[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                AttributionApi.options(op, AttributionApi.model(op, model), basis, halfLifeDays, lookbackDays, markovOrder,
                        customWeights).withScope(journeyScope)).map(report -> report.first(limit));
    }

    @Query
    @Description("The opportunities behind one performance row (or every attributed one when key is omitted),"
            + " largest attributed amount first.")
    public Uni<@NonNull List<@NonNull CreditedOpportunity>> creditedOpportunities(
            @NonNull String from, @NonNull String to, @DefaultValue("linear") String model,
            @DefaultValue("PIPELINE") Basis basis, @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("The group's key, e.g. paid_search; omitted: every attributed opportunity.") String key,
            @Description("1 to 1000, default 100.") Integer first,
            Double halfLifeDays, Integer lookbackDays, Integer markovOrder, CustomWeights customWeights,
            @Description("ACCOUNT (every person of the account) or CONTACT_ROLES (only the opportunity's contact roles);"
                    + " default: the workspace's. CONTACT_ROLES is computed on demand (the rollups hold ACCOUNT journeys).")
            JourneyScope journeyScope) {
        String op = "creditedOpportunities";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of(op, from, to);
        if (first != null && (first < 1 || first > MAX_PAGE)) {
            throw new IllegalArgumentException(op + ".first: must be 1 to " + MAX_PAGE + ", was " + first);
        }
        ModelName name = AttributionApi.model(op, model);
        return performance.creditedOpportunities(workspace, period[0], period[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                key, AttributionApi.options(op, name, basis, halfLifeDays, lookbackDays, markovOrder, customWeights)
                        .withScope(journeyScope),
                first == null ? 100 : first);
    }

    @Query
    @Description("Sourced vs influenced opportunities created in the period, by a touch dimension.")
    public Uni<@NonNull SourcedInfluencedReport> sourcedInfluenced(@NonNull String from, @NonNull String to,
                                                                   @DefaultValue("CHANNEL") Dimension groupBy) {
        String op = "sourcedInfluenced";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of(op, from, to);
        return engagement.sourcedInfluenced(workspace, period[0], period[1], groupBy == null ? Dimension.CHANNEL : groupBy);
    }

    @Query
    @Description("Share of the pipeline created in the period (open or won) whose account had a marketing touch"
            + " in the windowDays before the opportunity's creation.")
    public Uni<@NonNull PipelineInfluence> pipelineInfluence(@NonNull String from, @NonNull String to,
                                                             @DefaultValue("90") @Description("1 to 3650.") Integer windowDays) {
        String op = "pipelineInfluence";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of(op, from, to);
        int days = windowDays == null ? 90 : windowDays;
        if (days < 1 || days > 3650) {
            throw new IllegalArgumentException(op + ".windowDays: must be 1 to 3650, was " + days);
        }
        return engagement.pipelineInfluence(workspace, period[0], period[1], days);
    }

    @Query
    @Description("Customers whose first won deal closed in the period, by acquisition MONTH or QUARTER and channel.")
    public Uni<@NonNull CohortLtvReport> cohortLtv(@NonNull String from, @NonNull String to,
                                                   @DefaultValue("QUARTER") String cohort,
                                                   @DefaultValue("4") @Description("0 to 36.") Integer periods) {
        String op = "cohortLtv";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of(op, from, to);
        String c = cohort == null ? "QUARTER" : cohort.trim().toUpperCase(Locale.ROOT);
        if (!c.equals("QUARTER") && !c.equals("MONTH")) {
            throw new IllegalArgumentException(op + ".cohort: must be MONTH or QUARTER, was " + cohort);
        }
        int n = periods == null ? 4 : periods;
        if (n < 0 || n > 36) {
            throw new IllegalArgumentException(op + ".periods: must be 0 to 36, was " + n);
        }
        return performance.cohortLtv(workspace, period[0], period[1], c.equals("QUARTER"), n);
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
    public Uni<@NonNull DataQuality> dataQuality(@NonNull String from, @NonNull String to) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of("dataQuality", from, to);
        return engagement.dataQuality(workspace, period[0], period[1]);
    }

    @Query
    @Description("The touches behind a data-quality figure (INVALID_UTM, NO_PERSON, NO_ACCOUNT, UNMAPPED_CAMPAIGN), newest first;"
            + " at most `first` (1 to 1000, default 100).")
    public Uni<@NonNull List<@NonNull QualityTouch>> dataQualityTouches(@NonNull String from, @NonNull String to,
                                                                        @NonNull QualityProblem problem, Integer first) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = reportPeriods.of("dataQualityTouches", from, to);
        int limit = first == null ? 100 : first;
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("dataQualityTouches.first: 1 to 1000, was " + limit);
        }
        return reports.qualityTouches(workspace, period[0], period[1], problem, limit);
    }

    @Query
    @Description("Touch types counted as marketing by sourcedInfluenced and pipelineInfluence (the workspace's, or the default).")
    public Uni<@NonNull List<@NonNull String>> marketingTouchTypes() {
        return reports.marketingTouchTypes(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }

    @Mutation
    @Description("Sets the touch types counted as marketing (role admin); values from docs/feeds.md touch types.")
    public Uni<@NonNull List<@NonNull String>> updateMarketingTouchTypes(@NonNull List<@NonNull String> types) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        Set<String> checked = new LinkedHashSet<>();
        for (String t : types) {
            String normalized = t.trim().toUpperCase(Locale.ROOT);
            if (!TOUCH_TYPES.contains(normalized)) {
                throw new IllegalArgumentException("updateMarketingTouchTypes.types: unknown touch type '" + t + "'; valid: "
                        + TOUCH_TYPES.stream().sorted().toList());
            }
            checked.add(normalized);
        }
        return reports.setMarketingTouchTypes(workspace, new ArrayList<>(checked));
    }
}
