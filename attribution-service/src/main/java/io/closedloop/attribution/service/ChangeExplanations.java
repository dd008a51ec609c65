package io.closedloop.attribution.service;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.OnDemandLimitException;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.ComputedReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.SnapshotViews.ChangeCause;
import io.closedloop.attribution.report.SnapshotViews.ChangeCauseKind;
import io.closedloop.attribution.report.SnapshotViews.ChangeExplanation;
import io.closedloop.attribution.report.SnapshotViews.OpportunityChange;
import io.closedloop.attribution.report.SnapshotViews.Snapshot;
import io.closedloop.attribution.report.StoredReport;
import io.closedloop.attribution.repository.SnapshotRepository;
import io.closedloop.attribution.repository.SnapshotRepository.Header;
import io.closedloop.attribution.repository.SnapshotRepository.Report;
import io.closedloop.attribution.repository.VersionRepository;
import io.closedloop.attribution.repository.VersionRepository.Versions;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * explainChange (issue 22, docs/reports.md "Why a figure changed"): one group's figures of a snapshot's report beside the
 * same question now (or in a later snapshot), the change split into causes. The inputs of both moments are read from their
 * versions (VersionRepository): only the accounts a change reached, or every deal of the period when the settings differ;
 * the split is computed on demand and charged to the workspace's share.
 */
@ApplicationScoped
public class ChangeExplanations {

    /** Deals listed per cause. */
    static final int DEALS_LISTED = 100;

    private static final String OP = "explainChange";
    private static final String OP_SINCE = "explainChangeSince";

    private final SnapshotRepository snapshotRows;
    private final Snapshots snapshots;
    private final VersionRepository versions;
    private final AttributionService attribution;
    private final AttributionSettingsService settings;
    private final OnDemandWork onDemand;
    private final JourneyStore store;
    private final DataVersions dataVersions;

    public ChangeExplanations(SnapshotRepository snapshotRows, Snapshots snapshots, VersionRepository versions,
                              AttributionService attribution, AttributionSettingsService settings, OnDemandWork onDemand,
                              JourneyStore store, DataVersions dataVersions) {
        this.snapshotRows = snapshotRows;
        this.snapshots = snapshots;
        this.versions = versions;
        this.attribution = attribution;
        this.settings = settings;
        this.onDemand = onDemand;
        this.store = store;
        this.dataVersions = dataVersions;
    }

    /** A snapshot's header, one report of it, and its view. */
    private record Taken(Header header, Report report, Snapshot view) {
    }

    /** What journeys were computed with at a moment: the workspace's settings then, a model's own parameters first. */
    private record Setting(int lookbackDays, double halfLifeDays, JourneyScope scope) {
    }

    /**
     * Where a change is counted from: a snapshot's report ({@code snapshot}, its figure {@code reported}), or the data as it
     * was at a moment logged at a time ({@code asOf}; the figure then is computed from the versions: {@code reported} null).
     */
    private record Base(Snapshot snapshot, String asOf, LocalDate firstDay, LocalDate lastDay, String moment, Setting setting,
                        ModelOptions options, double[] reported) {

        /** The period's first instant. */
        Instant start() {
            return firstDay.atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        /** The instant after the period's last day. */
        Instant end() {
            return lastDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }

    /** Where it is counted to: a later snapshot's report, or now (null fields). */
    private record Target(Snapshot snapshot, String moment, Setting setting, ModelOptions options, double[] reported) {
    }

    /**
     * The change of {@code key}'s figures (null: the report's total) in the report ({@code model}, {@code basis},
     * {@code groupBy}) of snapshot {@code fromId}, to snapshot {@code toId} (null: now), under the snapshot's model or
     * {@code toModel}; null when the snapshot or the report is not there.
     */
    public Uni<ChangeExplanation> explain(String workspace, String fromId, String toId, int model, Basis basis, Dimension groupBy,
                                          String key, ModelOptions toModel) {
        onDemand.requireShare(workspace);
        return taken(workspace, fromId, model, basis, groupBy).chain(from -> {
            if (from == null) {
                return Uni.createFrom().nullItem();
            }
            refuseUnversioned(from, "from");
            if (from.header().createdAt().isBefore(dataVersions.keptSince())) {
                throw new IllegalArgumentException(OP + ".from: snapshot " + fromId + " was taken " + from.header().createdAt()
                        + ", before the oldest versions kept (closedloop.versions.keep): its change can no longer be explained");
            }
            ModelOptions options = Snapshots.options(from.report().options()).withBasis(basis);
            ModelOptions later = toModel == null ? options : toModel.withBasis(basis);
            Base base = new Base(from.view(), null, from.header().from(), from.header().to(), from.header().moment(),
                    setting(from.header().settings(), options), options, reported(from.report(), key));
            if (toId == null) {
                return now(workspace, later).chain(to -> explain(OP, workspace, base, to, groupBy, key));
            }
            return laterReport(workspace, from, toId, Snapshots.options(later).encode()).chain(to -> {
                refuseUnversioned(to, "to");
                return explain(OP, workspace, base, new Target(to.view(), to.header().moment(),
                        setting(to.header().settings(), later), later, reported(to.report(), key)), groupBy, key);
            });
        });
    }

    /**
     * The change of {@code key}'s figures (null: the total) in the performance report of a period under a model since the data
     * was as at {@code asOf} (the last moment logged at or before it) to now.
     */
    public Uni<ChangeExplanation> explainSince(String workspace, Instant asOf, LocalDate firstDay, LocalDate lastDay,
                                               ModelOptions options, Dimension groupBy, String key) {
        onDemand.requireShare(workspace);
        if (asOf.isBefore(dataVersions.keptSince())) {
            throw new IllegalArgumentException(OP_SINCE + ".asOf: " + asOf + " is before the oldest versions kept ("
                    + dataVersions.keptSince() + ", closedloop.versions.keep)");
        }
        return versions.momentAt(asOf).chain(logged -> {
            if (logged == null) {
                throw new IllegalArgumentException(OP_SINCE + ".asOf: no data version is kept from " + asOf + " or before (one is"
                        + " logged every minute, and kept for closedloop.versions.keep)");
            }
            return versions.settings(workspace, logged.moment()).chain(then -> {
                Base base = new Base(null, logged.takenAt().toString(), firstDay, lastDay, logged.moment(),
                        setting(then, options), options, null);
                return now(workspace, options).chain(to -> explain(OP_SINCE, workspace, base, to, groupBy, key));
            });
        });
    }

    /** Now: the workspace's settings, its moment taken when the figures are read. */
    private Uni<Target> now(String workspace, ModelOptions options) {
        return settings.get(workspace).map(s -> new Target(null, null, setting(s, options), options, null));
    }

    private Uni<ChangeExplanation> explain(String op, String workspace, Base from, Target to, Dimension groupBy, String key) {
        boolean refitted = !from.options().model().isRuleBased() || !to.options().model().isRuleBased();
        boolean roles = from.setting().scope() == JourneyScope.CONTACT_ROLES || to.setting().scope() == JourneyScope.CONTACT_ROLES;
        Uni<ChangeExplanation> explained;
        if (refitted && roles) {
            explained = explainFromRows(workspace, from, to, groupBy, key);
        } else if (refitted) {
            explained = explainRefitted(op, workspace, from, to, groupBy, key);
        } else {
            // "Now" is one moment taken first, so that every read below sees the same versions (a page committing between
            // two reads would otherwise count in one and not the other); what commits after it and before the figure now
            // is read lands in NOT_VERSIONED.
            Uni<String> laterMoment = to.moment() == null ? versions.moment() : Uni.createFrom().item(to.moment());
            explained = laterMoment.chain(nowMoment -> explain(workspace, from, to, groupBy, key, nowMoment));
        }
        return explained
                // The graph answers an unexpected failure as a bare "System error": the log keeps what it was.
                .onFailure(e -> !(e instanceof IllegalArgumentException || e instanceof OnDemandLimitException))
                .invoke(e -> Log.errorf(e, "explainChange of workspace %s from %s failed", workspace,
                        from.snapshot() != null ? "snapshot " + from.snapshot().id() : from.asOf()));
    }

    private Uni<ChangeExplanation> explain(String workspace, Base from, Target to, Dimension groupBy, String key, String nowMoment) {
        Instant start = from.start();
        Instant end = from.end();
        boolean settingsChanged = settingsDiffer(from, to);
        Basis basis = from.options().basis();
        String thenMoment = from.moment();
        Uni<double[]> spend = spend(workspace, from, groupBy, key, nowMoment);
        ChangeCauses.Settings thenSettings = settings(from.options(), from.setting());
        ChangeCauses.Settings nowSettings = settings(to.options(), to.setting());
        // CONTACT_ROLES journeys follow persons wherever they are resolved: what changed is not found by account, so every
        // deal of the period is read, as after a change of settings.
        boolean roles = from.setting().scope() == JourneyScope.CONTACT_ROLES || to.setting().scope() == JourneyScope.CONTACT_ROLES;
        Uni<Versions> read = settingsChanged || roles
                ? versions.versions(workspace, thenMoment, nowMoment, null, start, end, Set.of(), roles)
                : versions.changed(workspace, thenMoment, nowMoment).chain(changed -> versions.versions(workspace, thenMoment,
                nowMoment, changed, start, end));
        Uni<ChangeCauses.Result> split = onDemand.run(workspace, true, () -> read, v -> ChangeCauses.explain(v, start, end, basis,
                groupBy, key, thenSettings, nowSettings, settingsChanged));
        Uni<double[]> reportedNow = to.snapshot() != null ? Uni.createFrom().item(to.reported())
                : attribution.attribution(workspace, start, end, groupBy, to.options()).map(r -> figures(r, key));
        return split.chain(result -> spend.chain(spent -> reportedNow.map(current -> view(from, to, groupBy, key, result,
                spent, current))));
    }

    /**
     * A change of a data-driven figure (or across a switch to or from one): the touches and deals in memory first, then the
     * moment now, so that every account that changed since the earlier moment (and whose copy in memory may be older or
     * newer than the later one) is built from its versions, and every other account is the same at both moments and in
     * memory. The figure now is the one computed here from the journeys a report now reads: asking the report again would
     * fit the model once more.
     */
    private Uni<ChangeExplanation> explainRefitted(String op, String workspace, Base from, Target to, Dimension groupBy,
                                                   String key) {
        Instant start = from.start();
        Instant end = from.end();
        String thenMoment = from.moment();
        PopulationChangeCauses.Setting then = populationSetting(from.options(), from.setting());
        PopulationChangeCauses.Setting now = populationSetting(to.options(), to.setting());
        boolean settingsChanged = settingsDiffer(from, to);
        AtomicReference<String> laterMoment = new AtomicReference<>();
        Uni<ChangeCauses.Result> split = onDemand.run(workspace, true,
                () -> store.journeys(workspace).chain(memory -> versions.moment().chain(current -> {
                    String later = to.moment() != null ? to.moment() : current;
                    laterMoment.set(later);
                    return versions.changed(workspace, thenMoment, current)
                            .chain(changed -> reached(workspace, thenMoment, later, changed, start, end))
                            .map(read -> new Read(read.versions(), memory, read.accounts()));
                })),
                read -> PopulationChangeCauses.explain(read.memory(), read.versions(), read.accounts(), start, end,
                        from.options().basis(), groupBy, key, then, now, settingsChanged))
                .onFailure(JourneyStore.TooLarge.class).transform(e -> new IllegalArgumentException(op + ".model: "
                        + from.options().model() + " and " + to.options().model() + " changes are explained over the"
                        + " workspace's touches in memory, which are more than closedloop.reports.journeys-megabytes"));
        return split.chain(result -> spend(workspace, from, groupBy, key, laterMoment.get()).map(spent -> view(from, to, groupBy,
                key, result, spent, to.snapshot() != null ? to.reported() : new double[]{result.amountNow(), result.creditNow()})));
    }

    /**
     * A change of a data-driven figure over CONTACT_ROLES journeys (or across a switch of scope or model involving them):
     * every journey of each combination rebuilt from the period's versions (RowChangeCauses), as a report computed on
     * demand reads the period's rows; the figure now is the one computed here.
     */
    private Uni<ChangeExplanation> explainFromRows(String workspace, Base from, Target to, Dimension groupBy, String key) {
        Instant start = from.start();
        Instant end = from.end();
        PopulationChangeCauses.Setting then = populationSetting(from.options(), from.setting());
        PopulationChangeCauses.Setting now = populationSetting(to.options(), to.setting());
        boolean settingsChanged = settingsDiffer(from, to);
        Duration lookback = Duration.ofDays(Math.max(from.setting().lookbackDays(), to.setting().lookbackDays()));
        AtomicReference<String> laterMoment = new AtomicReference<>();
        Uni<ChangeCauses.Result> split = onDemand.run(workspace, true,
                () -> (to.moment() != null ? Uni.createFrom().item(to.moment()) : versions.moment()).chain(later -> {
                    laterMoment.set(later);
                    return versions.periodVersions(workspace, from.moment(), later, start, end, lookback);
                }),
                read -> RowChangeCauses.explain(read, start, end, from.options().basis(), groupBy, key, then, now,
                        from.setting().scope(), to.setting().scope(), settingsChanged));
        return split.chain(result -> spend(workspace, from, groupBy, key, laterMoment.get()).map(spent -> view(from, to, groupBy,
                key, result, spent, to.snapshot() != null ? to.reported() : new double[]{result.amountNow(), result.creditNow()})));
    }

    /**
     * The versions of the changed accounts and of the accounts of every deal version read: a deal reached through a changed
     * contact may be of an account no other change reached, whose other deals are then read too (one more read, since a
     * deal reached so reaches nothing further).
     */
    private Uni<Read> reached(String workspace, String then, String later, VersionRepository.Changed changed, Instant start,
                              Instant end) {
        return versions.versions(workspace, then, later, changed, start, end, changed.accounts(), false).chain(v -> {
            Set<String> accounts = new HashSet<>(changed.accounts());
            v.deals().stream().filter(d -> d.accountId() != null).forEach(d -> accounts.add(d.accountId()));
            if (accounts.equals(changed.accounts())) {
                return Uni.createFrom().item(new Read(v, null, accounts));
            }
            VersionRepository.Changed wider = new VersionRepository.Changed(accounts, changed.deals(), changed.contacts());
            return versions.versions(workspace, then, later, wider, start, end, accounts, false).map(w -> new Read(w, null, accounts));
        });
    }

    /** The group's spend in the period {then, later} (none for groupings spend has no column for). */
    private Uni<double[]> spend(String workspace, Base from, Dimension groupBy, String key, String laterMoment) {
        String column = groupBy.spendColumn();
        return column == null && key != null ? Uni.createFrom().item(new double[2])
                : versions.spend(workspace, from.moment(), laterMoment, from.firstDay(), from.lastDay().plusDays(1),
                key == null ? null : column, key, Dimension.NO_VALUE);
    }

    /**
     * Whether the figures' settings differ: the lookback, the journey scope, the model, or its own parameters (half-life,
     * weights, order).
     */
    private static boolean settingsDiffer(Base from, Target to) {
        ModelOptions a = from.options();
        ModelOptions b = to.options();
        return from.setting().lookbackDays() != to.setting().lookbackDays() || a.model() != b.model()
                || from.setting().scope() != to.setting().scope()
                || a.model() == ModelName.TIME_DECAY && from.setting().halfLifeDays() != to.setting().halfLifeDays()
                || a.model() == ModelName.MARKOV && a.markovOrder() != b.markovOrder()
                || a.model() == ModelName.CUSTOM && !Arrays.equals(a.custom().weights(), b.custom().weights());
    }

    private static ChangeExplanation view(Base from, Target to, Dimension groupBy, String key, ChangeCauses.Result result,
                                          double[] spend, double[] reportedNow) {
        double[] then = from.reported();
        double[] now = reportedNow;
        double amountChange = result.amountNow() - result.amountThen();
        double creditChange = result.creditNow() - result.creditThen();
        // A group a snapshot cut (beyond its first rows) has no reported figure there: the versions' change gives it.
        if (now == null) {
            now = then == null ? new double[]{result.amountNow(), result.creditNow()}
                    : new double[]{then[0] + amountChange, then[1] + creditChange};
        }
        double amountThen = then == null ? now[0] - amountChange : then[0];
        double creditThen = then == null ? now[1] - creditChange : then[1];
        List<ChangeCause> causes = new ArrayList<>();
        ChangeCauseKind[] kinds = {ChangeCauseKind.TOUCHES, ChangeCauseKind.IDENTITY, ChangeCauseKind.CRM, ChangeCauseKind.SETTINGS};
        double amountExplained = 0;
        double creditExplained = 0;
        for (int p = 0; p < kinds.length; p++) {
            int cause = p;
            List<OpportunityChange> deals = new ArrayList<>();
            for (ChangeCauses.DealChange d : result.deals()) {
                if (d.amount()[cause] != 0 || d.credit()[cause] != 0) {
                    deals.add(new OpportunityChange(d.dealId(), d.amount()[cause], d.credit()[cause]));
                }
            }
            deals.sort(Comparator.comparingDouble((OpportunityChange d) -> -Math.abs(d.amount()))
                    .thenComparing(OpportunityChange::opportunityId));
            causes.add(new ChangeCause(kinds[p], result.amount()[p], result.credit()[p], 0, deals.size(),
                    deals.subList(0, Math.min(DEALS_LISTED, deals.size()))));
            amountExplained += result.amount()[p];
            creditExplained += result.credit()[p];
        }
        causes.add(new ChangeCause(ChangeCauseKind.SPEND, 0, 0, spend[1] - spend[0], 0, List.of()));
        causes.add(new ChangeCause(ChangeCauseKind.NOT_VERSIONED, now[0] - amountThen - amountExplained,
                now[1] - creditThen - creditExplained, 0, 0, List.of()));
        return new ChangeExplanation(from.snapshot(), from.asOf(), to.snapshot(), from.options().model(),
                Snapshots.options(from.options()).encode(), to.options().model(), Snapshots.options(to.options()).encode(),
                from.options().basis(), groupBy, key, amountThen, now[0], creditThen, now[1], spend[0], spend[1], causes,
                Instant.now().toString());
    }

    private static void refuseUnversioned(Taken t, String field) {
        if (t.header().moment() == null) {
            throw new IllegalArgumentException(OP + "." + field + ": snapshot " + t.header().id() + " was taken before its inputs"
                    + " were versioned; only later snapshots can be explained");
        }
    }

    private Uni<Taken> taken(String workspace, String id, int model, Basis basis, Dimension groupBy) {
        return snapshotRows.find(workspace, id).chain(header -> header == null ? Uni.createFrom().nullItem()
                : snapshotRows.report(workspace, id, model, basis.name(), groupBy.name()).chain(report -> report == null
                ? Uni.createFrom().nullItem()
                : snapshots.find(workspace, id).map(view -> new Taken(header, report, view))));
    }

    /** The later snapshot's report of the same model (parameters), basis and grouping over the same period. */
    private Uni<Taken> laterReport(String workspace, Taken from, String toId, String options) {
        return snapshotRows.find(workspace, toId).chain(header -> {
            if (header == null) {
                throw new IllegalArgumentException(OP + ".to: the workspace has no snapshot " + toId);
            }
            if (!header.from().equals(from.header().from()) || !header.to().equals(from.header().to())) {
                throw new IllegalArgumentException(OP + ".to: snapshot " + toId + " is of another period (" + header.from()
                        + " to " + header.to() + ")");
            }
            return snapshotRows.contents(workspace, List.of(toId)).chain(contents -> {
                for (Report r : contents.getOrDefault(toId, List.of())) {
                    if (r.basis().equals(from.report().basis()) && r.groupBy().equals(from.report().groupBy())
                            && Snapshots.options(Snapshots.options(r.options())).encode().equals(options)) {
                        return taken(workspace, toId, r.model(), Basis.valueOf(r.basis()), Dimension.valueOf(r.groupBy()));
                    }
                }
                throw new IllegalArgumentException(OP + ".to: snapshot " + toId + " holds no report of the same model,"
                        + " parameters, basis and grouping");
            });
        });
    }

    /** {amount, credit} of {@code key} (null: the totals) in a snapshot's report; null when it was cut from the snapshot. */
    private static double[] reported(Report report, String key) {
        ComputedReport stored = StoredReport.decode(report.report());
        if (key == null) {
            return figures(stored.totals());
        }
        for (PerformanceRow row : stored.rows()) {
            if (key.equals(row.key())) {
                return figures(row);
            }
        }
        return report.totalRows() > stored.rows().size() ? null : new double[2];
    }

    private static double[] figures(PerformanceRow row) {
        return new double[]{row.amount().value().doubleValue(), row.credit()};
    }

    /** {amount, credit} of {@code key} (null: every group) now, unrounded. */
    private static double[] figures(AttributionReport report, String key) {
        double[] out = new double[2];
        for (AttributionRow row : report.rows()) {
            if (key == null || key.equals(row.key())) {
                out[0] += row.amount();
                out[1] += row.credit();
            }
        }
        return out;
    }

    private static Setting setting(JsonObject taken, ModelOptions options) {
        return setting(taken.getInteger("lookbackDays"), taken.getDouble("halfLifeDays"),
                JourneyScope.valueOf(taken.getString("journeyScope")), options);
    }

    private static Setting setting(AttributionSettings s, ModelOptions options) {
        return setting(s.lookbackDays, s.halfLifeDays, s.journeyScope, options);
    }

    private static Setting setting(int lookbackDays, double halfLifeDays, JourneyScope scope, ModelOptions options) {
        return new Setting(options.lookbackDays() != null ? options.lookbackDays() : lookbackDays,
                options.halfLifeDays() != null ? options.halfLifeDays() : halfLifeDays,
                options.scope() != null ? options.scope() : scope);
    }

    /** The versions read, the touches and deals in memory, and the accounts whose journeys come from the versions. */
    private record Read(Versions versions, JourneyStore.InMemory memory, Set<String> accounts) {
    }

    private static PopulationChangeCauses.Setting populationSetting(ModelOptions options, Setting s) {
        return new PopulationChangeCauses.Setting(Duration.ofDays(s.lookbackDays()), options,
                options.model().isRuleBased() ? options.model().ruleBased(s.halfLifeDays(), options.custom()) : null);
    }

    private static ChangeCauses.Settings settings(ModelOptions options, Setting s) {
        return new ChangeCauses.Settings(Duration.ofDays(s.lookbackDays()), options.model().ruleBased(s.halfLifeDays(),
                options.custom()), s.scope());
    }
}
