package io.closedloop.attribution.graphql;

import io.closedloop.attribution.graphql.ReportInputs.ModelInput;
import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.ComputedReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.SnapshotViews.ChangeExplanation;
import io.closedloop.attribution.report.SnapshotViews.Snapshot;
import io.closedloop.attribution.report.SnapshotViews.SnapshotChange;
import io.closedloop.attribution.report.SnapshotViews.SnapshotConnection;
import io.closedloop.attribution.report.SnapshotViews.SnapshotSchedule;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.ChangeExplanations;
import io.closedloop.attribution.service.Snapshots;
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
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Snapshots (issue 22, docs/reports.md "Snapshots"): freeze the figures a user reports, read and compare them later. */
@GraphQLApi
public class SnapshotsApi {

    /** Most models, bases x groupings one snapshot computes: each is a whole report. */
    static final int MAX_MODELS = 6;
    static final int MAX_GROUPINGS = 6;
    static final int MAX_NAME = 200;

    private final Snapshots snapshots;
    private final ChangeExplanations explanations;
    private final ReportPeriods periods;
    private final Caller caller;

    public SnapshotsApi(Snapshots snapshots, ChangeExplanations explanations, ReportPeriods periods, Caller caller) {
        this.snapshots = snapshots;
        this.explanations = explanations;
        this.periods = periods;
        this.caller = caller;
    }

    @Mutation
    @Description("Freezes the performance reports of a period under the given models (each on every basis of 'bases',"
            + " grouped by each of 'groupBy'), with the settings and data version they were computed at: the figures a user"
            + " reports, read later with snapshotReport and compared with now by snapshotChange.")
    public Uni<@NonNull Snapshot> createSnapshot(
            @NonNull @Description("A name, e.g. \"Board deck 2026-Q3\" (1 to 200 characters).") String name,
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("One to " + MAX_MODELS + " models.") List<@NonNull ModelInput> models,
            @DefaultValue("[\"PIPELINE\", \"REVENUE\"]") @Description("The bases each model's report is computed on.") List<@NonNull Basis> bases,
            @DefaultValue("[\"CHANNEL\"]") @Description("The dimensions each report is grouped by (at most " + MAX_GROUPINGS + ").")
            List<@NonNull Dimension> groupBy) {
        String op = "createSnapshot";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        if (name.isBlank() || name.length() > MAX_NAME) {
            throw ReportInputs.bad(op, "name", name.isBlank() ? "is required" : "is longer than " + MAX_NAME + " characters");
        }
        ReportInputs.Days days = periods.days(op, period);
        return snapshots.create(workspace, name.strip(), days.from(), days.to(), models(op, models), bases(bases),
                groupings(op, groupBy));
    }

    private static List<ModelOptions> models(String op, List<ModelInput> models) {
        if (models.isEmpty() || models.size() > MAX_MODELS) {
            throw ReportInputs.bad(op, "models", "give between 1 and " + MAX_MODELS + " models, was " + models.size());
        }
        List<ModelOptions> options = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            options.add(ReportInputs.options(op, "models[" + i + "]", models.get(i), Basis.PIPELINE));
        }
        return options;
    }

    private static List<Basis> bases(List<Basis> bases) {
        return bases == null || bases.isEmpty() ? List.of(Basis.PIPELINE, Basis.REVENUE) : new ArrayList<>(new LinkedHashSet<>(bases));
    }

    private static List<Dimension> groupings(String op, List<Dimension> groupBy) {
        List<Dimension> by = groupBy == null || groupBy.isEmpty() ? List.of(Dimension.CHANNEL)
                : new ArrayList<>(new LinkedHashSet<>(groupBy));
        if (by.size() > MAX_GROUPINGS) {
            throw ReportInputs.bad(op, "groupBy", "give at most " + MAX_GROUPINGS + " dimensions, was " + by.size());
        }
        return by;
    }

    @Mutation
    @Description("Takes a snapshot of each calendar month once it has ended (\"Monthly YYYY-MM\", within an hour), with these"
            + " models, bases and groupings; replaces the workspace's schedule.")
    public Uni<@NonNull SnapshotSchedule> scheduleMonthlySnapshots(
            @NonNull @Description("One to " + MAX_MODELS + " models.") List<@NonNull ModelInput> models,
            @DefaultValue("[\"PIPELINE\", \"REVENUE\"]") List<@NonNull Basis> bases,
            @DefaultValue("[\"CHANNEL\"]") List<@NonNull Dimension> groupBy) {
        String op = "scheduleMonthlySnapshots";
        String workspace = caller.workspaceFor(Roles.ADMIN);
        return snapshots.schedule(workspace, models(op, models), bases(bases), groupings(op, groupBy));
    }

    @Mutation
    @Description("Stops the monthly snapshots; false when none were scheduled. Snapshots taken stay.")
    public Uni<@NonNull Boolean> cancelMonthlySnapshots() {
        return snapshots.cancelSchedule(caller.workspaceFor(Roles.ADMIN));
    }

    @Query
    @Description("The workspace's monthly snapshot schedule; null when none.")
    public Uni<SnapshotSchedule> snapshotSchedule() {
        return snapshots.schedule(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN));
    }

    @Mutation
    @Description("Deletes a snapshot; false when there was none.")
    public Uni<@NonNull Boolean> deleteSnapshot(@NonNull String id) {
        return snapshots.delete(caller.workspaceFor(Roles.ADMIN), id);
    }

    @Query
    @Description("The workspace's snapshots, newest first.")
    public Uni<@NonNull SnapshotConnection> snapshots(@Description("Page size, default 100, at most 1000.") Integer first,
                                                      @Description("The endCursor of the previous page.") String after) {
        String op = "snapshots";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        int limit = Paging.first(op + ".first", first);
        Paging.check(op + ".after", after, Snapshots.ORDER);
        return snapshots.list(workspace, op + ".after", after, limit);
    }

    @Query
    @Description("A snapshot by id; null when there is none.")
    public Uni<Snapshot> snapshot(@NonNull String id) {
        return snapshots.find(caller.workspaceFor(Roles.ANALYST, Roles.ADMIN), id);
    }

    @Query
    @Description("One report of a snapshot as it was taken (a page of its rows and its totals); null when the snapshot does"
            + " not hold it.")
    public Uni<PerformanceMetrics> snapshotReport(
            @NonNull String id,
            @DefaultValue("0") @Description("The model's position among the snapshot's models.") int model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("Page size, default 100, at most 1000.") Integer first,
            @Description("The endCursor of the previous page.") String after) {
        String op = "snapshotReport";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        int limit = Paging.first(op + ".first", first);
        Paging.check(op + ".after", after, ComputedReport.ORDER);
        return snapshots.report(workspace, id, model, basis == null ? Basis.PIPELINE : basis,
                groupBy == null ? Dimension.CHANNEL : groupBy, op + ".after", after, limit);
    }

    @Query
    @Description("One report of a snapshot beside the same question asked now: each group's credit, attributed amount and"
            + " revenue then and now; null when the snapshot does not hold it.")
    public Uni<SnapshotChange> snapshotChange(
            @NonNull String id,
            @DefaultValue("0") @Description("The model's position among the snapshot's models.") int model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("Page size, default 100, at most 1000.") Integer first,
            @Description("The endCursor of the previous page.") String after) {
        String op = "snapshotChange";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        int limit = Paging.first(op + ".first", first);
        Paging.check(op + ".after", after, Snapshots.CHANGE_ORDER);
        return snapshots.change(workspace, id, model, basis == null ? Basis.PIPELINE : basis,
                groupBy == null ? Dimension.CHANNEL : groupBy, op + ".after", after, limit);
    }

    @Query
    @Description("Why a figure of a snapshot's report changed since (or by a later snapshot): the change of one group's"
            + " attributed amount and credit (and spend) split into causes (touches, identity, CRM, settings, spend, and what no"
            + " version keeps) that sum to it exactly, each with the deals behind it. Every model, either journey scope (MARKOV and"
            + " SHAPLEY refitted for each combination of causes); computed on demand. Null when the snapshot does not hold the"
            + " report.")
    public Uni<ChangeExplanation> explainChange(
            @NonNull @Description("The snapshot the change is counted from.") String from,
            @Description("A later snapshot of the same period and report to count the change to; null: now.") String to,
            @DefaultValue("0") @Description("The model's position among the 'from' snapshot's models.") int model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("The group (a row's key); null: the report's total.") String key,
            @Description("The model to compare under now (or in the later snapshot): a switch of models is a SETTINGS change;"
                    + " null: the snapshot's.") ModelInput toModel) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        ModelOptions later = toModel == null ? null : ReportInputs.options("explainChange", "toModel", toModel, basis);
        return explanations.explain(workspace, from, to, model, basis == null ? Basis.PIPELINE : basis,
                groupBy == null ? Dimension.CHANNEL : groupBy, key, later);
    }

    @Query
    @Description("Why a figure changed since a time: the change of one group's attributed amount and credit (and spend) in the"
            + " performance report of a period, from the data as it was then (the last data version logged at or before"
            + " 'asOf'; one is logged a minute) to now, split into causes as explainChange splits them. Every model, either"
            + " journey scope; computed on demand.")
    public Uni<ChangeExplanation> explainChangeSince(
            @NonNull @Description("The time the change is counted from (ISO-8601, e.g. 2026-03-01T09:00:00Z).") String asOf,
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("The group (a row's key); null: the report's total.") String key) {
        String op = "explainChangeSince";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant at;
        try {
            at = Instant.parse(asOf);
        } catch (DateTimeParseException e) {
            throw ReportInputs.bad(op, "asOf", "must be an ISO-8601 time such as 2026-03-01T09:00:00Z, was " + asOf);
        }
        ReportInputs.Days days = periods.days(op, period);
        ModelOptions options = ReportInputs.options(op, "model", model, basis);
        return explanations.explainSince(workspace, at, days.from(), days.to(), options,
                groupBy == null ? Dimension.CHANNEL : groupBy, key);
    }
}
