package io.closedloop.gateway.graphql;

import io.closedloop.plumbing.graphql.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import java.util.List;

/**
 * The report types of the public schema: the same names, fields and enums as attribution-service's schema, so that a
 * query valid against one is valid against the other.
 */
public final class ReportTypes {

    private ReportTypes() {
    }

    @Description("The attribution models of DESIGN §4.")
    public enum ModelName { FIRST_TOUCH, LAST_TOUCH, LAST_NON_DIRECT, LINEAR, TIME_DECAY, U_SHAPED, W_SHAPED, FULL_PATH,
        J_SHAPED, INVERSE_J, CUSTOM, MARKOV, SHAPLEY }

    public enum Basis { PIPELINE, REVENUE }

    public enum Dimension { CHANNEL, SOURCE, MEDIUM, CAMPAIGN, CONTENT, TOUCH_TYPE }

    @Description("Whose touches make up an opportunity's journey.")
    public enum JourneyScope { ACCOUNT, CONTACT_ROLES }

    @Description("How customers are grouped by the close of their first won deal.")
    public enum CohortGranularity { MONTH, QUARTER }

    @Description("INVALID_UTM (UTMs the taxonomy could not place), NO_PERSON, NO_ACCOUNT (resolved to no person / no"
            + " company), UNMAPPED_CAMPAIGN.")
    public enum QualityProblem { INVALID_UTM, NO_PERSON, NO_ACCOUNT, UNMAPPED_CAMPAIGN }

    @Description("What kind of interaction a touch is (docs/feeds.md).")
    public enum TouchType { PAGE_VIEW, SCREEN_VIEW, FORM_FILL, EMAIL_CLICK, AD_CLICK, WEBINAR, EVENT, CALL, DIRECT_MAIL,
        SALES_OUTREACH, HOW_DID_YOU_HEAR, TRACK }

    @Description("A journey milestone a touch is.")
    public enum Milestone { FT, LC, OC, CW }

    @Description("An opportunity's state.")
    public enum OpportunityStatus { OPEN, WON, LOST }

    @Description("TOUCH or STAGE (a stage change).")
    public enum TimelineKind { TOUCH, STAGE }

    @RegisterForReflection // serialized into the subgraph call's variables by Jackson, also in a native image
    @Input("PeriodInput")
    @Description("A date range, both ends inclusive.")
    public record PeriodInput(
            @NonNull @Description("First day, YYYY-MM-DD.") String from,
            @NonNull @Description("Last day, YYYY-MM-DD; not before 'from'.") String to) {
    }

    @RegisterForReflection // serialized into the subgraph call's variables by Jackson, also in a native image
    @Input("ModelInput")
    @Description("An attribution model of DESIGN §4 and its parameters; absent parameters take the workspace defaults.")
    public record ModelInput(
            @NonNull @Description("The model.") ModelName name,
            @Description("TIME_DECAY only: half-life in days, greater than 0.") Double halfLifeDays,
            @Description("Touches up to this many days before the conversion count (1..3650).") Integer lookbackDays,
            @Description("CUSTOM only (and required there): fractions summing to 1.") WeightsInput weights,
            @Description("MARKOV only: chain order 1..4.") Integer markovOrder,
            @Description("Whose touches make up an opportunity's journey; absent: the workspace's setting. CONTACT_ROLES is"
                    + " computed on demand (the rollups hold ACCOUNT journeys).") JourneyScope journeyScope) {
    }

    @RegisterForReflection // serialized into the subgraph call's variables by Jackson, also in a native image
    @Input("WeightsInput")
    @Description("Custom-model fractions for first touch, lead creation, opportunity creation, closed-won and the middle.")
    public record WeightsInput(
            @Description("First touch.") double ft,
            @Description("Lead creation touch.") double lc,
            @Description("Opportunity creation touch.") double oc,
            @Description("Closed-won touch.") double cw,
            @Description("Shared by the other touches.") double middle) {
    }

    @Description("One report under one model.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record PerformanceReport(
            @NonNull @Description("The model the credit was computed with.") ModelName model,
            @NonNull @Description("PIPELINE or REVENUE.") Basis basis,
            @NonNull @Description("The dimension the rows are grouped by.") Dimension groupBy,
            @Description("The reporting currency of every amount (ISO 4217); null before any amount arrived.") String currency,
            @Description("Time of the newest data the figures were computed from (DESIGN §5 'Explaining a number').") String dataAsOf,
            @NonNull @Description("One row per group, largest attributed amount first, then by key; a page of them.") ReportRowConnection rows,
            @NonNull @Description("Totals over the whole scope (key null): every attributed deal counts once, spend is the "
                    + "period's total spend. The rows' amount, pipeline and revenue add up to these exactly.") ReportRow totals,
            @Description("MARKOV and SHAPLEY: where the credit comes from; null for the rule-based models.") ModelExplanation explanation) {
    }

    @Description("Where a page stands in its list (Relay cursor connections).")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record PageInfo(@Description("Whether items follow this page: ask again with after = endCursor.") boolean hasNextPage,
                           @Description("Whether items precede this page.") boolean hasPreviousPage,
                           @Description("The first edge's cursor; null on an empty page.") String startCursor,
                           @Description("The last edge's cursor; null on an empty page.") String endCursor) {
    }

    @Description("A page of report rows.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ReportRowConnection(@NonNull List<@NonNull ReportRowEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Rows in the whole report.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ReportRowEdge(@NonNull String cursor, @NonNull ReportRow node) {
    }

    @Description("Where a data-driven model's credit comes from (DESIGN §4), over the period's population of journeys: MARKOV"
            + " the conversion probability and each channel's removal effect, SHAPLEY the channel sets (coalitions) and their"
            + " conversion rates the values are computed from. Credit is by channel, whatever the report's grouping.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ModelExplanation(
            @NonNull @Description("MARKOV or SHAPLEY.") ModelName model,
            @Description("Journeys in the population: the converting ones and the non-converting paths.") int journeys,
            @Description("Of those, converting.") int conversions,
            @Description("MARKOV: the probability of reaching conversion from the start state.") Double conversionProbability,
            @NonNull @Description("Every channel of the population, most credit first.") List<@NonNull ChannelEffect> channels,
            @Description("SHAPLEY: the channel sets seen, most journeys first: the 100 largest.") List<@NonNull Coalition> coalitions,
            @Description("SHAPLEY: how many channel sets the population has.") Integer coalitionCount) {
    }

    @Description("One channel in a data-driven model.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ChannelEffect(
            @NonNull String channel,
            @Description("Its credit over the converting journeys (a count of conversions).") double credit,
            @Description("MARKOV: its removal effect, 1 - P(conversion without it) / P(conversion).") Double removalEffect,
            @Description("MARKOV: the conversion probability with every state holding it removed.") Double conversionProbabilityWithout) {
    }

    @Description("SHAPLEY: a set of channels seen as journeys' channels; its value is its conversion rate.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record Coalition(@NonNull List<@NonNull String> channels,
                            @Description("Journeys with exactly these channels.") long journeys,
                            @Description("Of them, converting.") long conversions,
                            @Description("conversions / journeys.") double conversionRate) {
    }

    @Description("One group of a report (docs/reports.md defines each figure). Ratios are fractions, null when the "
            + "denominator is 0.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ReportRow(
            @Description("The group: a channel, source, medium, campaign, content or touch type; null on totals.") String key,
            @Description("Credit: the sum of the group's touch credits (fractions of opportunities) under the basis.") double credit,
            @NonNull @Description("Attributed amount: credit times each opportunity's pipeline or won amount, under the basis.") Money amount,
            @Description("Distinct opportunities the group's touches have credit in (on totals: attributed opportunities).") double opportunities,
            @NonNull @Description("Spend of the group in the period (0 for CONTENT and TOUCH_TYPE, which spend does not carry).") Money spend,
            @Description("Attributed opportunities created in the period: credit sum of the pipeline journeys.") double pipelineOpportunities,
            @NonNull @Description("Attributed pipeline: credit times amount of the opportunities created in the period.") Money pipeline,
            @Description("Attributed won deals: credit sum of the opportunities won in the period.") double wonDeals,
            @NonNull @Description("Attributed revenue: credit times amount of the opportunities won in the period.") Money revenue,
            @Description("Attributed new customers: credit sum of won deals that are their account's first won deal.") double newCustomers,
            @Description("Return on investment: (revenue - spend) / spend.") Double roi,
            @Description("Return on ad spend: revenue / spend.") Double roas,
            @Description("Customer acquisition cost: spend / newCustomers.") Money cac,
            @Description("spend / pipelineOpportunities.") Money costPerOpportunity,
            @Description("revenue / wonDeals.") Money averageDealSize,
            @Description("wonDeals / pipelineOpportunities.") Double conversionRate,
            @Description("Median days from the journey's first touch to the close, over the won deals with credit in the group.") Double medianDaysToConversion,
            @Description("On totals only (null on rows): the conversions in scope no touch is credited for (none in their"
                    + " lookback window), so that amount + unattributed.amount is the scope's whole pipeline or won amount.")
            Unattributed unattributed) {
    }

    @Description("Conversions in scope with no touch in their lookback window: no model credits any group for them.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record Unattributed(@Description("How many.") int count,
                               @NonNull @Description("Their pipeline or won amount, under the basis.") Money amount) {
    }

    @Description("The same report under several models (DESIGN §5 'Model comparison').")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ModelComparison(
            @NonNull @Description("The models compared, in the order asked.") List<@NonNull ModelName> models,
            @NonNull @Description("Each model's report, in the order of 'models' (its first 1,000 rows).") List<@NonNull PerformanceReport> reports,
            @NonNull @Description("Side-by-side rows: one per group, values in the order of 'models', largest under the first"
                    + " model first, then by key; a page of them.") ComparisonRowConnection rows) {
    }

    @Description("A page of side-by-side rows.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ComparisonRowConnection(@NonNull List<@NonNull ComparisonRowEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Rows in the whole comparison.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ComparisonRowEdge(@NonNull String cursor, @NonNull ComparisonRow node) {
    }

    @Description("One group under every compared model.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record ComparisonRow(
            @Description("The group.") String key,
            @NonNull @Description("Credit under each model, in the order of 'models'.") List<@NonNull Double> credits,
            @NonNull @Description("Attributed amount under each model, in the order of 'models'.") List<@NonNull Money> amounts) {
    }

    @Description("An opportunity's journey and each touch's credit under one model.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record OpportunityJourney(
            @NonNull @Description("The opportunity.") String opportunityId,
            @Description("Its account.") String accountId,
            @Description("OPEN, WON or LOST.") OpportunityStatus status,
            @NonNull @Description("PIPELINE or REVENUE.") Basis basis,
            @NonNull @Description("The model.") ModelName model,
            @Description("The opportunity's pipeline or won amount.") Money amount,
            @Description("The amount's currency (ISO 4217).") String currency,
            @Description("When it was created, ISO-8601.") String createdAt,
            @Description("When it closed, ISO-8601.") String closedAt,
            @Description("True when no touch falls in its lookback window: nothing is credited.") boolean unattributed,
            @NonNull @Description("Touches in time order.") List<@NonNull JourneyTouch> touches,
            @Description("Time of the newest data the credit was computed from.") String dataAsOf) {
    }

    @Description("One touch of a journey.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record JourneyTouch(
            @Description("The touch's id.") String touchId,
            @Description("When it happened (ISO-8601).") String occurredAt,
            @Description("Its touch type.") TouchType touchType,
            @Description("Its channel.") String channel,
            String source, String medium, String campaign, String content,
            @NonNull @Description("The milestones it is.") List<@NonNull Milestone> milestones,
            @Description("Its credit (fraction of the opportunity).") double credit,
            @NonNull @Description("Its attributed amount: credit x the opportunity's amount, rounded so that the touches' amounts"
                    + " add up to the opportunity's.") Money amount) {
    }

    @Description("One opportunity behind a report figure (DESIGN §5 'Explaining a number').")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record CreditedOpportunity(
            @NonNull @Description("The opportunity.") String opportunityId,
            @Description("Its account.") String accountId,
            @NonNull @Description("Its pipeline or won amount, under the basis.") Money amount,
            @Description("Its amount's currency (ISO 4217).") String currency,
            @Description("Credit the group received from it (1 when no key is given).") double credit,
            @NonNull @Description("credit x amount, rounded half-even to the minor unit.") Money attributedAmount,
            @Description("Its journey touches in the group (all journey touches when no key is given).") int touches,
            @Description("Its conversion point: creation (PIPELINE) or close (REVENUE), ISO-8601.") String convertedAt) {
    }

    @Description("A page of the opportunities behind a figure.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record CreditedOpportunityConnection(@NonNull List<@NonNull CreditedOpportunityEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Opportunities behind the figure.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record CreditedOpportunityEdge(@NonNull String cursor, @NonNull CreditedOpportunity node) {
    }

    @Description("Sourced vs influenced (DESIGN §5) for the opportunities created in the period.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record SourcedInfluencedReport(
            @Description("Time of the newest data used.") String dataAsOf,
            @NonNull @Description("The dimension the rows are grouped by.") Dimension groupBy,
            @Description("The reporting currency of every amount (ISO 4217).") String currency,
            @NonNull @Description("The touch types counted as marketing (attribution settings).") List<@NonNull TouchType> marketingTouchTypes,
            @NonNull @Description("One row per group, largest influenced amount first, then by key; a page of them.") SourcedInfluencedRowConnection rows,
            @NonNull @Description("Distinct opportunities over all groups (key null).") SourcedInfluencedRow totals) {
    }

    @Description("Sourced: the opportunity's first touch before creation is a marketing touch of this group. Influenced: a "
            + "marketing touch of this group before the close (or now, while open).")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record SourcedInfluencedRow(
            @Description("The group; null on totals.") String key,
            @Description("Opportunities sourced.") int sourcedCount,
            @NonNull @Description("Their amount.") Money sourcedAmount,
            @Description("Opportunities influenced.") int influencedCount,
            @NonNull @Description("Their amount.") Money influencedAmount) {
    }

    @Description("A page of sourced-vs-influenced rows.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record SourcedInfluencedRowConnection(@NonNull List<@NonNull SourcedInfluencedRowEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Rows in the whole report.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record SourcedInfluencedRowEdge(@NonNull String cursor, @NonNull SourcedInfluencedRow node) {
    }

    @Description("Pipeline influence (DESIGN §5): of the opportunities created in the period and open or won, those whose "
            + "account had a marketing touch in the windowDays before creation.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record PipelineInfluence(
            @Description("Time of the newest data used.") String dataAsOf,
            @Description("The window, in days before each opportunity's creation.") int windowDays,
            @Description("The reporting currency of every amount (ISO 4217).") String currency,
            @Description("Opportunities created in the period, open or won.") int totalCount,
            @NonNull @Description("Their amount.") Money totalAmount,
            @Description("Of those, influenced.") int influencedCount,
            @NonNull @Description("Their amount.") Money influencedAmount,
            @Description("influencedCount / totalCount.") Double countShare,
            @Description("influencedAmount / totalAmount.") Double amountShare) {
    }

    @Description("Cohort LTV (DESIGN §5): customers by acquisition period and channel.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record CohortLtvReport(
            @Description("Time of the newest data used.") String dataAsOf,
            @Description("The reporting currency of every amount (ISO 4217).") String currency,
            @NonNull @Description("MONTH or QUARTER.") CohortGranularity cohort,
            @Description("Periods after acquisition in each row's revenuePerCustomer (0..periods).") int periods,
            @NonNull @Description("One row per cohort and acquisition channel.") List<@NonNull CohortRow> rows) {
    }

    @Description("Customers acquired in one period through one channel.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record CohortRow(
            @NonNull @Description("The acquisition period, e.g. 2026-Q1 or 2026-03.") String cohort,
            @Description("First-touch channel of the customer's first won deal ('(none)' without touches).") String channel,
            @Description("Customers in the cohort.") int customers,
            @NonNull @Description("Cumulative revenue per customer from the cohort's start to the end of period k, k = 0..periods.") List<@NonNull Money> revenuePerCustomer,
            @NonNull @Description("The last value of revenuePerCustomer.") Money ltv,
            @Description("The channel's spend in the acquisition period / customers.") Money cac,
            @Description("ltv / cac.") Double ltvToCac) {
    }

    @Description("One account (DESIGN §5 'Account view').")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record AccountView(
            @NonNull @Description("The account.") String accountId,
            @Description("Time of the newest data used.") String dataAsOf,
            @NonNull @Description("Touches and stage changes, newest first; a page of them.") TimelineEntryConnection timeline,
            @Description("CRM contacts of the account.") int contacts,
            @Description("Contacts whose person has at least one touch.") int contactsReached,
            @Description("Buying-committee coverage: share of the opportunities' contact roles whose person was touched "
                    + "before the opportunity's creation.") Double buyingCommitteeCoverage,
            @Description("Engagement velocity: days from the first touch to the first opportunity's creation.") Double engagementVelocityDays) {
    }

    @Description("One entry of an account's timeline.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record TimelineEntry(
            @NonNull @Description("When, ISO-8601.") String at,
            @NonNull @Description("TOUCH or STAGE.") TimelineKind kind,
            @Description("TOUCH: the touch.") String touchId,
            @Description("TOUCH: its touch type.") TouchType touchType,
            @Description("TOUCH: its channel.") String channel,
            @Description("TOUCH: its campaign.") String campaign,
            @Description("TOUCH: the person touched.") String personId,
            @Description("STAGE: the opportunity.") String opportunityId,
            @Description("STAGE: the stage entered.") String stage) {
    }

    @Description("A page of an account's timeline.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record TimelineEntryConnection(@NonNull List<@NonNull TimelineEntryEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Entries in the whole timeline.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record TimelineEntryEdge(@NonNull String cursor, @NonNull TimelineEntry node) {
    }

    @Description("A page of the touches behind a data-quality figure.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record QualityTouchConnection(@NonNull List<@NonNull QualityTouchEdge> edges, @NonNull PageInfo pageInfo,
            @Description("Touches behind the figure.") int totalCount) {
    }

    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record QualityTouchEdge(@NonNull String cursor, @NonNull QualityTouch node) {
    }

    @Description("A touch behind a data-quality figure.")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record QualityTouch(@NonNull @Description("The touch's id.") String touchId, @NonNull @Description("When, ISO-8601.") String occurredAt,
                               TouchType touchType, String channel, String source, String medium, String campaign, String content) {
    }

    @Description("Data quality over the touches and opportunities of the period (DESIGN §5).")
    @RegisterForReflection // mapped from subgraph JSON by Jackson, also in a native image
    public record DataQuality(
            @Description("Time of the newest data used.") String dataAsOf,
            @Description("Touches in the period.") int touches,
            @Description("Share of the period's touches whose UTMs were valid (of those the producer flagged).") Double validUtmShare,
            @Description("Share of touches resolved to a person.") Double personShare,
            @Description("Share of touches resolved to an account.") Double accountShare,
            @Description("Share of the period's revenue whose account had a touch at or before it.") Double revenueWithTouchShare,
            @Description("Journey touches per deal won in the period.") Double touchesPerConversion,
            @Description("Opportunities created in the period with no contact role.") int opportunitiesWithoutContactRoles,
            @NonNull @Description("Campaigns whose channel the taxonomy could not map, at most 100.") List<@NonNull String> unmappedCampaigns) {
    }
}
