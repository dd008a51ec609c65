package io.closedloop.attribution.report;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.plumbing.graphql.Money;
import io.closedloop.plumbing.graphql.PageInfo;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import java.util.List;

/** The GraphQL types of snapshots (issue 22, docs/reports.md "Snapshots"). */
public final class SnapshotViews {

    private SnapshotViews() {
    }

    @Type("Snapshot")
    @Description("The figures a user reported, frozen: performance reports of a period under chosen models, with the settings"
            + " and data version they were computed at. Figures only, never a person's data; no recompute changes them.")
    public record Snapshot(
            @NonNull String id,
            @NonNull @Description("The name it was given.") String name,
            @NonNull @Description("When it was taken (ISO-8601).") String createdAt,
            @NonNull @Description("First day of the period, YYYY-MM-DD.") String from,
            @NonNull @Description("Last day of the period, YYYY-MM-DD.") String to,
            @NonNull @Description("The workspace's settings then (a model's own parameters are on its report).") SnapshotSettings settings,
            @Description("The rollups' generation and last change the figures were read at; null before any rollup.") String dataVersion,
            @NonNull @Description("What it holds: one report per model, basis and grouping.") List<@NonNull SnapshotReportInfo> reports) {
    }

    @Type("SnapshotSettings")
    public record SnapshotSettings(int lookbackDays, double halfLifeDays, @NonNull JourneyScope journeyScope) {
    }

    @Type("SnapshotReportInfo")
    @Description("One report a snapshot holds; read it with snapshotReport(id, model, basis, groupBy).")
    public record SnapshotReportInfo(
            @Description("The model's position among the snapshot's models (from 0).") int model,
            @NonNull ModelName name,
            @NonNull Basis basis,
            @NonNull Dimension groupBy,
            @NonNull @Description("The model's parameters as given (JSON; an absent one took the workspace's setting).") String parameters,
            @Description("Rows the report had (a snapshot keeps the first 1,000, largest first).") int rows) {
    }

    @Type("SnapshotSchedule")
    @Description("A workspace's monthly snapshot: once a calendar month has ended, a snapshot of it named \"Monthly YYYY-MM\""
            + " is taken with these models, bases and groupings (within an hour, by one replica).")
    public record SnapshotSchedule(
            @NonNull @Description("The models, in order.") List<@NonNull ModelName> models,
            @NonNull @Description("The models' parameters as given (JSON).") String parameters,
            @NonNull List<@NonNull Basis> bases,
            @NonNull List<@NonNull Dimension> groupBy,
            @NonNull @Description("When it was last set (ISO-8601).") String updatedAt) {
    }

    @Type("SnapshotConnection")
    public record SnapshotConnection(@NonNull List<@NonNull SnapshotEdge> edges, @NonNull PageInfo pageInfo,
                                     @Description("Snapshots of the workspace.") int totalCount) {
    }

    @Type("SnapshotEdge")
    public record SnapshotEdge(@NonNull String cursor, @NonNull Snapshot node) {
    }

    @Type("SnapshotChange")
    @Description("A snapshot's report beside the same question asked now (the same period, model and parameters; absent"
            + " parameters take the workspace's settings now): each group's figures then and now.")
    public record SnapshotChange(
            @NonNull Snapshot snapshot,
            @NonNull @Description("Groups in either, largest change of the attributed amount first (by its size), then by key.")
            SnapshotChangeRowConnection rows,
            @NonNull @Description("The totals then and now (key null).") SnapshotChangeRow totals,
            @Description("Time of the newest data the figures now were computed from.") String dataAsOf) {
    }

    @Type("SnapshotChangeRowConnection")
    public record SnapshotChangeRowConnection(@NonNull List<@NonNull SnapshotChangeRowEdge> edges, @NonNull PageInfo pageInfo,
                                              int totalCount) {
    }

    @Type("SnapshotChangeRowEdge")
    public record SnapshotChangeRowEdge(@NonNull String cursor, @NonNull SnapshotChangeRow node) {
    }

    @Type("SnapshotChangeRow")
    @Description("One group then (in the snapshot) and now; a group in only one of them has 0 on the other side.")
    public record SnapshotChangeRow(
            @Description("The group (null on totals).") String key,
            @Description("Credit then.") double creditThen,
            @Description("Credit now.") double creditNow,
            @NonNull @Description("Attributed amount then.") Money amountThen,
            @NonNull @Description("Attributed amount now.") Money amountNow,
            @NonNull @Description("amountNow - amountThen.") Money amountChange,
            @NonNull @Description("Revenue then.") Money revenueThen,
            @NonNull @Description("Revenue now.") Money revenueNow) {
    }

    @Type("ChangeExplanation")
    @Description("Why one group's figures changed between a snapshot (or the data as it was at a time) and now (or a later"
            + " snapshot): the change split into causes that sum to it exactly (docs/reports.md \"Why a figure changed\")."
            + " Figures unrounded, so that the causes add up; round them for display.")
    public record ChangeExplanation(
            @Description("The snapshot the change is counted from; null when counted from a time (asOf).") Snapshot from,
            @Description("When counted from a time: the data version it was counted from, the last one logged at or before"
                    + " that time (ISO-8601; one is logged a minute).") String asOf,
            @Description("The snapshot it is counted to; null: now.") Snapshot to,
            @NonNull @Description("The model of the figure then.") ModelName model,
            @NonNull @Description("Its parameters (JSON), as the snapshot's report has them.") String parameters,
            @NonNull @Description("The model of the figure now (another when the question switched models: a SETTINGS"
                    + " change).") ModelName toModel,
            @NonNull @Description("Its parameters (JSON).") String toParameters,
            @NonNull Basis basis,
            @NonNull Dimension groupBy,
            @Description("The group explained; null: the report's total.") String key,
            @Description("Attributed amount then: the snapshot's figure, or (from a time) the figure computed from the data"
                    + " as it was.") double amountThen,
            @Description("Attributed amount as reported now (or in the later snapshot).") double amountNow,
            @Description("Credit then.") double creditThen,
            @Description("Credit now.") double creditNow,
            @Description("The group's spend in the period then (0 for CONTENT and TOUCH_TYPE groups).") double spendThen,
            @Description("Its spend now.") double spendNow,
            @NonNull @Description("Every cause, in this order: TOUCHES, IDENTITY, CRM, SETTINGS, SPEND, NOT_VERSIONED; their"
                    + " amounts sum to amountNow - amountThen, their credits to creditNow - creditThen, their spends to"
                    + " spendNow - spendThen.") List<@NonNull ChangeCause> causes,
            @Description("Time of the newest data the figures now were computed from.") String dataAsOf) {
    }

    @Description("What a change of a figure is put down to.")
    public enum ChangeCauseKind {
        @Description("Touches that arrived (late events) or changed since.") TOUCHES,
        @Description("Identity resolution: merges and splits moving identifiers between accounts.") IDENTITY,
        @Description("CRM: deals added, removed or restated (amount, stage, dates, account, contact roles), contacts' lead"
                + " dates.") CRM,
        @Description("The lookback, the model and its parameters (half-life, weights) the figures were computed with.")
        SETTINGS,
        @Description("Spend added or restated.") SPEND,
        @Description("What no version explains: erasures since (an erased person's touches are gone from every version, DESIGN"
                + " §6), the snapshot's rounding of its figures to the currency's digits, and changes committed while a"
                + " snapshot was being computed or while this explanation was read.") NOT_VERSIONED
    }

    @Type("ChangeCause")
    @Description("One cause's share of a change. Causes that interact (a late touch on a restated deal) share the interaction"
            + " equally: each cause's share is its Shapley value over the causes, per deal.")
    public record ChangeCause(
            @NonNull ChangeCauseKind cause,
            @Description("Its share of the attributed amount's change.") double amount,
            @Description("Its share of the credit's change.") double credit,
            @Description("Its share of the spend's change (SPEND only).") double spend,
            @Description("Deals whose figure this cause moved.") int opportunityCount,
            @NonNull @Description("Those deals, largest share first (by its size), at most 100.")
            List<@NonNull OpportunityChange> opportunities) {
    }

    @Type("OpportunityChange")
    public record OpportunityChange(@NonNull String opportunityId,
                                    @Description("Its share of the amount's change.") double amount,
                                    @Description("Its share of the credit's change.") double credit) {
    }
}
