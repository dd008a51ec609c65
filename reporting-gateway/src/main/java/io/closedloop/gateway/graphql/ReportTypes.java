package io.closedloop.gateway.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import java.util.List;

/** The report types of the public schema. */
public final class ReportTypes {

    private ReportTypes() {
    }

    @Input("PeriodInput")
    @Description("A date range, both ends inclusive.")
    public record PeriodInput(
            @NonNull @Description("First day, YYYY-MM-DD.") String from,
            @NonNull @Description("Last day, YYYY-MM-DD; not before 'from'.") String to) {
    }

    @Input("ModelInput")
    @Description("An attribution model of DESIGN §4 and its parameters; absent parameters take the workspace defaults.")
    public record ModelInput(
            @NonNull @Description("FIRST_TOUCH, LAST_TOUCH, LAST_NON_DIRECT, LINEAR, TIME_DECAY, U_SHAPED, W_SHAPED, "
                    + "FULL_PATH, J_SHAPED, INVERSE_J, CUSTOM, MARKOV or SHAPLEY.") String name,
            @Description("TIME_DECAY only: half-life in days, greater than 0.") Double halfLifeDays,
            @Description("Touches up to this many days before the conversion count (1..3650).") Integer lookbackDays,
            @Description("CUSTOM only (and required there): fractions summing to 1.") WeightsInput weights,
            @Description("MARKOV only: chain order 1..4.") Integer markovOrder) {
    }

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
    public record PerformanceReport(
            @NonNull @Description("The model the credit was computed with.") String model,
            @NonNull @Description("PIPELINE or REVENUE.") String basis,
            @NonNull @Description("The dimension the rows are grouped by.") String groupBy,
            @Description("Time of the newest data the figures were computed from (DESIGN §5 'Explaining a number').") String dataAsOf,
            @NonNull @Description("Rows, largest amount first, at most 'first'.") List<@NonNull ReportRow> rows,
            @Description("How many rows the report has before the page cap.") int totalRows) {
    }

    @Description("One group of a report.")
    public record ReportRow(
            @Description("The group: a channel, source, medium, campaign or content.") String key,
            @Description("Credit: the sum of the group's touch credits (fractions of opportunities).") double credit,
            @Description("Attributed amount: credit times each opportunity's pipeline or won amount.") double amount,
            @Description("Distinct opportunities the group's touches have credit in.") double opportunities) {
    }

    @Description("The same report under several models. Gateway-only type: merged from one subgraph call per model.")
    public record ModelComparison(
            @NonNull @Description("The models compared, in the order asked.") List<@NonNull String> models,
            @NonNull @Description("Each model's full report, in the order of 'models'.") List<@NonNull PerformanceReport> reports,
            @NonNull @Description("Side-by-side rows: one per group, values in the order of 'models'.") List<@NonNull ComparisonRow> rows) {
    }

    @Description("One group under every compared model.")
    public record ComparisonRow(
            @Description("The group.") String key,
            @NonNull @Description("Credit under each model, in the order of 'models'.") List<@NonNull Double> credits,
            @NonNull @Description("Attributed amount under each model, in the order of 'models'.") List<@NonNull Double> amounts) {
    }

    @Description("An opportunity's journey and each touch's credit under one model.")
    public record OpportunityJourney(
            @NonNull @Description("The opportunity.") String opportunityId,
            @NonNull @Description("The model.") String model,
            @NonNull @Description("PIPELINE or REVENUE.") String basis,
            @Description("The opportunity's pipeline or won amount.") double amount,
            @Description("Time of the newest data the credit was computed from.") String dataAsOf,
            @NonNull @Description("Touches in time order.") List<@NonNull JourneyTouch> touches) {
    }

    @Description("One touch of a journey.")
    public record JourneyTouch(
            @Description("The touch's id.") String touchId,
            @Description("When it happened (ISO-8601).") String occurredAt,
            @Description("Its channel.") String channel,
            @Description("Its touch type.") String touchType,
            @NonNull @Description("Milestones it is: FT, LC, OC, CW.") List<@NonNull String> milestones,
            @Description("Its credit (fraction of the opportunity).") double credit,
            @Description("Its attributed amount.") double amount) {
    }
}
