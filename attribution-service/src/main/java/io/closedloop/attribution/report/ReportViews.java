package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.PageInfo;
import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

/** The GraphQL types of the reports of DESIGN §5 (definitions in docs/reports.md). Ratios are fractions, null when the denominator is 0. */
public final class ReportViews {

    private ReportViews() {
    }

    @Type("PerformanceReport")
    @Description("One report under one model (DESIGN §5 'Performance by channel / campaign'): credit under the basis plus"
            + " pipeline, won deals, revenue and spend figures.")
    public record PerformanceMetrics(
            @NonNull @Description("The model the credit was computed with.") ModelName model,
            @NonNull @Description("PIPELINE or REVENUE.") Basis basis,
            @NonNull @Description("The dimension the rows are grouped by.") Dimension groupBy,
            @Description("The reporting currency of every amount (ISO 4217); null before any amount arrived.") String currency,
            @Description("Time of the newest data the figures were computed from (DESIGN §5 'Explaining a number').") String dataAsOf,
            @NonNull @Description("One row per group, largest attributed amount first, then by key; a page of them.") ReportRowConnection rows,
            @NonNull @Description("Totals over the whole scope (key null); spend is the period's total spend. The rows' amount,"
                    + " pipeline and revenue add up to these exactly.") PerformanceRow totals,
            @Description("MARKOV and SHAPLEY: where the credit comes from; null for the rule-based models.") ModelExplanation explanation) {
    }

    @Type("ReportRowConnection")
    @Description("A page of report rows.")
    public record ReportRowConnection(@NonNull List<@NonNull ReportRowEdge> edges, @NonNull PageInfo pageInfo,
                                      @Description("Rows in the whole report.") int totalCount) {
    }

    @Type("ReportRowEdge")
    public record ReportRowEdge(@NonNull String cursor, @NonNull PerformanceRow node) {
    }

    @Type("ReportRow")
    @Description("One group of a report (docs/reports.md defines each figure). Ratios are fractions, null when the denominator is 0.")
    public record PerformanceRow(
            @Description("The group (null on totals).") String key,
            @Description("Credit sum under the requested basis.") double credit,
            @NonNull @Description("Attributed amount under the requested basis.") Money amount,
            @Description("Distinct opportunities giving the group credit > 0 (on totals: attributed opportunities).") double opportunities,
            @NonNull @Description("Spend of the group in the period (0 for CONTENT and TOUCH_TYPE).") Money spend,
            @Description("Credit sum of opportunities created in the period (pipeline basis).") double pipelineOpportunities,
            @NonNull @Description("Attributed pipeline: credit x amount of opportunities created in the period.") Money pipeline,
            @Description("Attributed won deals: credit sum of opportunities won in the period.") double wonDeals,
            @NonNull @Description("Attributed revenue: credit x amount of opportunities won in the period.") Money revenue,
            @Description("Attributed new customers: credit sum of won deals that are their account's first won deal.") double newCustomers,
            @Description("(revenue - spend) / spend.") Double roi,
            @Description("revenue / spend.") Double roas,
            @Description("spend / newCustomers.") Money cac,
            @Description("spend / pipelineOpportunities.") Money costPerOpportunity,
            @Description("revenue / wonDeals.") Money averageDealSize,
            @Description("wonDeals / pipelineOpportunities.") Double conversionRate,
            @Description("Median days from the journey's first touch to the close over the won deals with credit in the group.") Double medianDaysToConversion,
            @Description("On totals only (null on rows): the conversions in scope no touch is credited for (none in their"
                    + " lookback window), so that amount + unattributed.amount is the scope's whole pipeline or won amount.")
            Unattributed unattributed,
            @Description("Sampling intervals of this row's figures when the report was asked with 'interval' (null otherwise):"
                    + " how much each figure would move with slightly different deals under the same model, not how much the"
                    + " choice of model matters (compare models for that). docs/reports.md 'Intervals'.")
            RowInterval interval) {

        /** This row with its intervals. */
        public PerformanceRow withInterval(RowInterval bounds) {
            return new PerformanceRow(key, credit, amount, opportunities, spend, pipelineOpportunities, pipeline, wonDeals, revenue,
                    newCustomers, roi, roas, cac, costPerOpportunity, averageDealSize, conversionRate, medianDaysToConversion,
                    unattributed, bounds);
        }
    }

    @Type("RowInterval")
    @Description("Sampling intervals of a report row's figures (docs/reports.md 'Intervals'): a percentile bootstrap over the"
            + " period's opportunities, seeded (the same question gives the same bounds). Sampling uncertainty only: they do"
            + " not measure how much the choice of model matters. Amounts in the report's currency, unrounded.")
    public record RowInterval(
            @Description("The level asked, e.g. 0.9: the bounds are the (1 - level)/2 and (1 + level)/2 quantiles.") double level,
            @Description("Resamples drawn.") int resamples,
            @NonNull @Description("Credit under the basis.") Interval credit,
            @NonNull @Description("Attributed amount under the basis.") Interval amount,
            @NonNull @Description("Attributed pipeline.") Interval pipeline,
            @NonNull @Description("Attributed revenue.") Interval revenue,
            @Description("ROI; null without spend.") Interval roi,
            @Description("ROAS; null without spend.") Interval roas,
            @Description("CAC; null without spend.") Interval cac) {
    }

    @Type("Interval")
    @Description("Lower and upper bound of a figure; a bound is null where it is unbounded (a cost over no new customer in"
            + " some resamples).")
    public record Interval(@Description("Lower bound.") Double lower, @Description("Upper bound.") Double upper) {
    }

    @Type("ModelComparison")
    @Description("The same report under several models (DESIGN §5 'Model comparison').")
    public record ModelComparison(
            @NonNull @Description("The models compared, in the order asked.") List<@NonNull ModelName> models,
            @NonNull @Description("Each model's report, in the order of 'models' (its first 1,000 rows).") List<@NonNull PerformanceMetrics> reports,
            @NonNull @Description("Side-by-side rows: one per group, values in the order of 'models', largest under the first"
                    + " model first, then by key; a page of them.") ComparisonRowConnection rows) {
    }

    @Type("ComparisonRowConnection")
    @Description("A page of side-by-side rows.")
    public record ComparisonRowConnection(@NonNull List<@NonNull ComparisonRowEdge> edges, @NonNull PageInfo pageInfo,
                                          @Description("Rows in the whole comparison.") int totalCount) {
    }

    @Type("ComparisonRowEdge")
    public record ComparisonRowEdge(@NonNull String cursor, @NonNull ComparisonRow node) {
    }

    @Type("ComparisonRow")
    @Description("One group under every compared model.")
    public record ComparisonRow(
            @Description("The group.") String key,
            @NonNull @Description("Credit under each model, in the order of 'models'.") List<@NonNull Double> credits,
            @NonNull @Description("Attributed amount under each model, in the order of 'models'.") List<@NonNull Money> amounts,
            @Description("When asked with 'interval': each model's sampling intervals of this group's figures, in the order of"
                    + " 'models' (the same resamples for every model, so their bounds compare pair by pair); null otherwise.")
            List<@NonNull RowInterval> intervals) {

        public ComparisonRow withIntervals(List<RowInterval> bounds) {
            return new ComparisonRow(key, credits, amounts, bounds);
        }
    }

    @Type("ModelExplanation")
    @Description("Where a data-driven model's credit comes from (DESIGN §4), over the period's population of journeys: MARKOV"
            + " the conversion probability and each channel's removal effect, SHAPLEY the channel sets (coalitions) and their"
            + " conversion rates the values are computed from. Credit is by channel, whatever the report's grouping.")
    public record ModelExplanation(
            @NonNull @Description("MARKOV or SHAPLEY.") ModelName model,
            @Description("Journeys in the population: the converting ones and the non-converting paths.") int journeys,
            @Description("Of those, converting.") int conversions,
            @Description("MARKOV: the probability of reaching conversion from the start state.") Double conversionProbability,
            @NonNull @Description("Every channel of the population, most credit first.") List<@NonNull ChannelEffect> channels,
            @Description("SHAPLEY: the channel sets seen, most journeys first: the 100 largest.") List<@NonNull Coalition> coalitions,
            @Description("SHAPLEY: how many channel sets the population has.") Integer coalitionCount) {
    }

    @Type("ChannelEffect")
    @Description("One channel in a data-driven model.")
    public record ChannelEffect(
            @NonNull String channel,
            @Description("Its credit over the converting journeys (a count of conversions).") double credit,
            @Description("MARKOV: its removal effect, 1 - P(conversion without it) / P(conversion).") Double removalEffect,
            @Description("MARKOV: the conversion probability with every state holding it removed.") Double conversionProbabilityWithout) {
    }

    @Type("Coalition")
    @Description("SHAPLEY: a set of channels seen as journeys' channels; its value is its conversion rate.")
    public record Coalition(@NonNull List<@NonNull String> channels,
                            @Description("Journeys with exactly these channels.") long journeys,
                            @Description("Of them, converting.") long conversions,
                            @Description("conversions / journeys.") double conversionRate) {
    }

    @Type("Unattributed")
    @Description("Conversions in scope with no touch in their lookback window: no model credits any group for them.")
    public record Unattributed(@Description("How many.") int count,
                               @NonNull @Description("Their pipeline or won amount, under the basis.") Money amount) {
    }

    @Type("CreditedOpportunity")
    @Description("One opportunity behind a report figure (DESIGN §5 'Explaining a number').")
    public record CreditedOpportunity(
            @NonNull String opportunityId, String accountId,
            @NonNull @Description("Its pipeline or won amount.") Money amount,
            @Description("Its amount's currency (ISO 4217).") String currency,
            @Description("Credit the group received from it (1 when no key is given).") double credit,
            @NonNull @Description("credit x amount, rounded half-even to the minor unit.") Money attributedAmount,
            @Description("Its journey touches in the group (all journey touches when no key is given).") int touches,
            @Description("Conversion point: creation (PIPELINE) or close (REVENUE).") String convertedAt) {
    }

    @Type("CreditedOpportunityConnection")
    @Description("A page of the opportunities behind a figure.")
    public record CreditedOpportunityConnection(@NonNull List<@NonNull CreditedOpportunityEdge> edges,
                                                @NonNull PageInfo pageInfo,
                                                @Description("Opportunities behind the figure.") int totalCount) {
    }

    @Type("CreditedOpportunityEdge")
    public record CreditedOpportunityEdge(@NonNull String cursor, @NonNull CreditedOpportunity node) {
    }

    @Type("SourcedInfluencedReport")
    @Description("Sourced vs influenced (DESIGN §5) for opportunities created in the period.")
    public record SourcedInfluencedReport(String dataAsOf, @NonNull Dimension groupBy,
                                          @Description("The reporting currency of every amount (ISO 4217).") String currency,
                                          @NonNull @Description("Marketing touch types used.") List<@NonNull TouchType> marketingTouchTypes,
                                          @NonNull @Description("One row per group, largest influenced amount first, then by key; a"
                                                  + " page of them.") SourcedInfluencedRowConnection rows,
                                          @NonNull @Description("Distinct opportunities over all groups (key null).") SourcedInfluencedRow totals) {
    }

    @Type("SourcedInfluencedRow")
    @Description("Sourced: the first touch before creation is a marketing touch of this group; influenced: a marketing touch of this group before the close.")
    public record SourcedInfluencedRow(String key, int sourcedCount, @NonNull Money sourcedAmount, int influencedCount,
                                       @NonNull Money influencedAmount) {
    }

    @Type("SourcedInfluencedRowConnection")
    @Description("A page of sourced-vs-influenced rows.")
    public record SourcedInfluencedRowConnection(@NonNull List<@NonNull SourcedInfluencedRowEdge> edges,
                                                 @NonNull PageInfo pageInfo, @Description("Rows in the whole report.") int totalCount) {
    }

    @Type("SourcedInfluencedRowEdge")
    public record SourcedInfluencedRowEdge(@NonNull String cursor, @NonNull SourcedInfluencedRow node) {
    }

    @Type("PipelineInfluence")
    @Description("Of the opportunities created in the period and open or won, the share whose account had a marketing touch in the windowDays before creation.")
    public record PipelineInfluence(String dataAsOf, int windowDays,
                                    @Description("The reporting currency of every amount (ISO 4217).") String currency,
                                    int totalCount, @NonNull Money totalAmount, int influencedCount,
                                    @NonNull Money influencedAmount, Double countShare, Double amountShare) {
    }

    @Type("DataQuality")
    @Description("Data quality over the touches and opportunities of the period (DESIGN §5).")
    public record DataQuality(String dataAsOf,
                              @Description("Touches in the period.") int touches,
                              @Description("Share of the period's touches flagged utmValid (of those the producer flagged).") Double validUtmShare,
                              @Description("Share of touches with an identifier resolved to a person.") Double personShare,
                              @Description("Share of touches with an identifier resolved to an account.") Double accountShare,
                              @Description("Share of the period's revenue (amount) whose account had a touch at or before it.") Double revenueWithTouchShare,
                              @Description("Journey touches per deal won in the period (revenue basis, workspace lookback).") Double touchesPerConversion,
                              @Description("Opportunities created in the period with no contact role.") int opportunitiesWithoutContactRoles,
                              @NonNull @Description("Campaigns of the period's touches whose channel the taxonomy could not map ('other' or none), at most 100.") List<@NonNull String> unmappedCampaigns) {
    }

    @Type("CohortLtvReport")
    @Description("Cohort LTV (DESIGN §5): customers by acquisition period and channel.")
    public record CohortLtvReport(String dataAsOf,
                                  @Description("The reporting currency of every amount (ISO 4217).") String currency,
                                  @NonNull CohortGranularity cohort, int periods, @NonNull List<@NonNull CohortRow> rows) {
    }

    @Type("CohortRow")
    @Description("Customers acquired in one period through one channel.")
    public record CohortRow(@NonNull @Description("2026-Q1 or 2026-03.") String cohort,
                            @Description("First-touch channel of the first won deal ('(none)' without touches).") String channel,
                            int customers,
                            @NonNull @Description("Cumulative invoiced revenue per customer from the cohort's start to the end of period k, k = 0..periods.") List<@NonNull Money> revenuePerCustomer,
                            @NonNull Money ltv,
                            @Description("Channel spend in the acquisition period / customers.") Money cac,
                            Double ltvToCac) {
    }

    @Type("AccountView")
    @Description("One account (DESIGN §5 'Account view').")
    public record AccountView(@NonNull String accountId, String dataAsOf,
                              @NonNull @Description("Touches and stage changes, newest first; a page of them.")
                              TimelineEntryConnection timeline,
                              @Description("CRM contacts of the account.") int contacts,
                              @Description("Contacts whose person has at least one touch.") int contactsReached,
                              @Description("Share of the opportunities' contact roles whose person was touched before the opportunity's creation.") Double buyingCommitteeCoverage,
                              @Description("Days from the first touch to the first opportunity's creation.") Double engagementVelocityDays) {
    }

    @Type("AccountEngagement")
    @Description("How far marketing reached into an account (DESIGN §5 'Account view'), over every touch of its persons.")
    public record AccountEngagement(@Description("CRM contacts of the account.") int contacts,
                                    @Description("Contacts whose person has at least one touch.") int contactsReached,
                                    @Description("Share of the opportunities' contact roles whose person was touched before the"
                                            + " opportunity's creation.") Double buyingCommitteeCoverage,
                                    @Description("Days from the first touch to the first opportunity's creation.")
                                    Double engagementVelocityDays) {
    }

    @Type("AccountCredit")
    @Description("The credit an account's opportunities converting in the period give one group under a model (the"
            + " performance report's row restricted to the account).")
    public record AccountCredit(@Description("The group, e.g. paid_search; (none) for touches without a value.") String key,
                                @Description("Credit sum: each converting opportunity's journey gives 1 in all.") double credit,
                                @NonNull @Description("credit x amount, rounded so that the account's groups add up to its"
                                        + " attributed amount exactly.") Money amount) {
    }

    @Type("PersonTouchConnection")
    @Description("A page of a person's touches.")
    public record PersonTouchConnection(@NonNull List<@NonNull PersonTouchEdge> edges, @NonNull PageInfo pageInfo,
                                        @Description("The person's touches.") int totalCount) {
    }

    @Type("PersonTouchEdge")
    public record PersonTouchEdge(@NonNull String cursor, @NonNull QualityTouch node) {
    }

    /** A data-quality problem a touch can have (dataQualityTouches). */
    @Description("INVALID_UTM (UTMs the taxonomy could not place), NO_PERSON, NO_ACCOUNT (resolved to no person / no"
            + " company), UNMAPPED_CAMPAIGN.")
    public enum QualityProblem { INVALID_UTM, NO_PERSON, NO_ACCOUNT, UNMAPPED_CAMPAIGN }

    /** What a timeline entry is. */
    @Description("TOUCH or STAGE (a stage change).")
    public enum TimelineKind { TOUCH, STAGE }

    @Type("TimelineEntryConnection")
    @Description("A page of an account's timeline.")
    public record TimelineEntryConnection(@NonNull List<@NonNull TimelineEntryEdge> edges, @NonNull PageInfo pageInfo,
                                          @Description("Entries in the whole timeline.") int totalCount) {
    }

    @Type("TimelineEntryEdge")
    public record TimelineEntryEdge(@NonNull String cursor, @NonNull TimelineEntry node) {
    }

    @Type("QualityTouchConnection")
    @Description("A page of the touches behind a data-quality figure.")
    public record QualityTouchConnection(@NonNull List<@NonNull QualityTouchEdge> edges, @NonNull PageInfo pageInfo,
                                         @Description("Touches behind the figure.") int totalCount) {
    }

    @Type("QualityTouchEdge")
    public record QualityTouchEdge(@NonNull String cursor, @NonNull QualityTouch node) {
    }

    @Description("A touch: when it happened, its type, and the channel, source, medium, campaign and content it came"
            + " through.")
    public record QualityTouch(@NonNull String touchId, @NonNull String occurredAt, TouchType touchType, String channel, String source,
                               String medium, String campaign, String content) {
    }

    @Description("One entry of an account's timeline.")
    public record TimelineEntry(@NonNull String at, @NonNull TimelineKind kind, String touchId,
                                TouchType touchType, String channel, String campaign, String personId, String opportunityId,
                                String stage) {
    }
}
