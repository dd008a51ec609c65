package io.closedloop.attribution.service;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.ComputedReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.Rounding;
import io.closedloop.attribution.report.SnapshotViews.Snapshot;
import io.closedloop.attribution.report.SnapshotViews.SnapshotChange;
import io.closedloop.attribution.report.SnapshotViews.SnapshotChangeRow;
import io.closedloop.attribution.report.SnapshotViews.SnapshotChangeRowConnection;
import io.closedloop.attribution.report.SnapshotViews.SnapshotChangeRowEdge;
import io.closedloop.attribution.report.SnapshotViews.SnapshotConnection;
import io.closedloop.attribution.report.SnapshotViews.SnapshotEdge;
import io.closedloop.attribution.report.SnapshotViews.SnapshotReportInfo;
import io.closedloop.attribution.report.SnapshotViews.SnapshotSchedule;
import io.closedloop.attribution.report.SnapshotViews.SnapshotSettings;
import io.closedloop.attribution.report.StoredReport;
import io.closedloop.attribution.repository.SnapshotRepository;
import io.closedloop.attribution.repository.SnapshotRepository.Header;
import io.closedloop.attribution.repository.VersionRepository;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.plumbing.graphql.Money;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Snapshots (issue 22): the performance reports a user reports, frozen with the settings, model parameters and data version
 * they were computed at, listed, read and compared with the same question asked now. Each report is computed as the
 * performance query computes it (from the rollups or on demand), one after the other; a snapshot keeps each report's first
 * {@value #ROWS_KEPT} rows and its totals.
 */
@ApplicationScoped
public class Snapshots {

    /** Rows a snapshot keeps per report (the API's largest page). */
    static final int ROWS_KEPT = Paging.MAX_PAGE;

    /** Newest first, then by id: a snapshot's cursor is (created at, id). */
    public static final Paging.Order<Snapshot> ORDER = new Paging.Order<>(s -> List.of(s.createdAt(), s.id()),
            Comparator.comparing((List<String> k) -> Instant.parse(k.get(0))).thenComparing(k -> k.get(1)).reversed());

    /** Largest change of the attributed amount (by its size) first, then by key. */
    public static final Paging.Order<SnapshotChangeRow> CHANGE_ORDER = Paging.byAmountThenKey(
            r -> Money.of(r.amountChange().value().abs()), SnapshotChangeRow::key);

    private final SnapshotRepository snapshots;
    private final VersionRepository versions;
    private final PerformanceReports performance;
    private final AttributionSettingsService settings;
    private final RollupReports rollups;
    private final OnDemandWork onDemand;
    private final int maxPerWorkspace;

    public Snapshots(SnapshotRepository snapshots, VersionRepository versions, PerformanceReports performance, AttributionSettingsService settings,
                     RollupReports rollups, OnDemandWork onDemand,
                     @ConfigProperty(name = "closedloop.snapshots.max-per-workspace", defaultValue = "1000") int maxPerWorkspace) {
        this.snapshots = snapshots;
        this.versions = versions;
        this.performance = performance;
        this.settings = settings;
        this.rollups = rollups;
        this.onDemand = onDemand;
        this.maxPerWorkspace = maxPerWorkspace;
    }

    /**
     * Computes and stores the reports of {@code models} on each of {@code bases}, grouped by each of {@code groupBy}: what the
     * user asked, so its whole computing time is charged to the workspace's on-demand share (up to 72 reports), and refused
     * while the workspace is over it or keeps {@code closedloop.snapshots.max-per-workspace} snapshots already.
     */
    public Uni<Snapshot> create(String workspace, String name, LocalDate from, LocalDate to, List<ModelOptions> models,
                               List<Basis> bases, List<Dimension> groupBy) {
        onDemand.requireShare(workspace);
        return snapshots.count(workspace).chain(count -> {
            if (count >= maxPerWorkspace) {
                throw new IllegalArgumentException("createSnapshot: the workspace keeps " + count + " snapshots, the most it may"
                        + " (closedloop.snapshots.max-per-workspace); delete one (deleteSnapshot) first");
            }
            long started = System.nanoTime();
            return create(workspace, name, from, to, models, bases, groupBy, null)
                    .onTermination().invoke(() -> onDemand.charge(workspace, started));
        });
    }

    /** The same, of the month {@code scheduledMonth} (a scheduled snapshot); null when that month's was taken already. */
    private Uni<Snapshot> create(String workspace, String name, LocalDate from, LocalDate to, List<ModelOptions> models,
                                 List<Basis> bases, List<Dimension> groupBy, LocalDate scheduledMonth) {
        Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        // The moment first: a change committed while the reports compute is in their figures or, when explained later, in
        // its cause.
        return versions.moment().chain(moment -> settings.get(workspace).chain(s -> rollups.state(workspace).chain(state -> {
            Uni<List<SnapshotRepository.Report>> reports = Uni.createFrom().item(ArrayList::new);
            for (int m = 0; m < models.size(); m++) {
                int model = m;
                for (Basis basis : bases) {
                    for (Dimension by : groupBy) {
                        ModelOptions options = models.get(m).withBasis(basis);
                        // One after the other: a report computed on demand takes one of the workspace's permits.
                        reports = reports.chain(done -> performance.performance(workspace, start, end, by, options).map(r -> {
                            done.add(new SnapshotRepository.Report(model, basis.name(), by.name(), options(options),
                                    r.rows().size(), StoredReport.encode(r, ROWS_KEPT)));
                            return done;
                        }));
                    }
                }
            }
            JsonObject taken = new JsonObject().put("lookbackDays", s.lookbackDays).put("halfLifeDays", s.halfLifeDays)
                    .put("journeyScope", s.journeyScope.name());
            Header header = new Header(UUID.randomUUID().toString(), name, Instant.now(), from, to, taken,
                    state == null ? null : state.version(), moment);
            return reports.chain(all -> snapshots.insert(workspace, header, all, scheduledMonth)
                    .map(inserted -> inserted ? view(header, all) : null));
        })));
    }

    public Uni<SnapshotConnection> list(String workspace, String field, String after, int first) {
        return snapshots.list(workspace).chain(headers -> {
            // The page first (a workspace has a few snapshots a month), then what the page's snapshots hold, in one read.
            Map<String, Header> byId = new HashMap<>();
            List<Snapshot> bare = new ArrayList<>();
            for (Header h : headers) {
                byId.put(h.id(), h);
                bare.add(view(h, List.of()));
            }
            Paging.Page<Snapshot> page = Paging.page(field, bare, after, first, ORDER);
            List<String> ids = page.items().stream().map(Snapshot::id).toList();
            return snapshots.contents(workspace, ids).map(contents -> {
                List<Snapshot> full = ids.stream().map(id -> view(byId.get(id), contents.getOrDefault(id, List.of()))).toList();
                Paging.Page<Snapshot> filled = new Paging.Page<>(full, page.cursors(), page.pageInfo(), page.totalCount());
                return new SnapshotConnection(filled.edges(SnapshotEdge::new), filled.pageInfo(), filled.totalCount());
            });
        });
    }

    /** The snapshot, or null. */
    public Uni<Snapshot> find(String workspace, String id) {
        return snapshots.find(workspace, id).chain(h -> h == null ? Uni.createFrom().nullItem()
                : snapshots.contents(workspace, List.of(id)).map(contents -> view(h, contents.getOrDefault(id, List.of()))));
    }

    /** A page of one stored report, or null when the snapshot or the report is not there. */
    public Uni<PerformanceMetrics> report(String workspace, String id, int model, Basis basis, Dimension groupBy, String field,
                                          String after, int first) {
        return snapshots.report(workspace, id, model, basis.name(), groupBy.name()).map(r -> r == null ? null
                : StoredReport.decode(r.report()).page(field, after, first));
    }

    /** The stored report beside the same question asked now; null when the snapshot or the report is not there. */
    public Uni<SnapshotChange> change(String workspace, String id, int model, Basis basis, Dimension groupBy, String field,
                                      String after, int first) {
        return find(workspace, id).chain(snapshot -> snapshot == null ? Uni.createFrom().nullItem()
                : snapshots.report(workspace, id, model, basis.name(), groupBy.name()).chain(stored -> {
                    if (stored == null) {
                        return Uni.createFrom().nullItem();
                    }
                    ComputedReport then = StoredReport.decode(stored.report());
                    Instant start = LocalDate.parse(snapshot.from()).atStartOfDay(ZoneOffset.UTC).toInstant();
                    Instant end = LocalDate.parse(snapshot.to()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                    return performance.performance(workspace, start, end, groupBy, options(stored.options()).withBasis(basis))
                            .map(now -> change(snapshot, then, stored.totalRows() > then.rows().size(), now, field, after, first));
                }));
    }

    /** Deletes the snapshot; false when there was none. */
    public Uni<Boolean> delete(String workspace, String id) {
        return snapshots.delete(workspace, id);
    }

    /** Takes a snapshot of each calendar month once it has ended, with these models, bases and groupings. */
    public Uni<SnapshotSchedule> schedule(String workspace, List<ModelOptions> models, List<Basis> bases, List<Dimension> groupBy) {
        JsonArray encoded = new JsonArray();
        models.forEach(m -> encoded.add(options(m)));
        return snapshots.saveSchedule(workspace, encoded, bases.stream().map(Basis::name).toList(),
                groupBy.stream().map(Dimension::name).toList()).map(Snapshots::view);
    }

    /** The workspace's monthly schedule, or null. */
    public Uni<SnapshotSchedule> schedule(String workspace) {
        return snapshots.schedule(workspace).map(s -> s == null ? null : view(s));
    }

    public Uni<Boolean> cancelSchedule(String workspace) {
        return snapshots.deleteSchedule(workspace);
    }

    /**
     * Takes the scheduled snapshots due at {@code now}: of the calendar month before now's (UTC), for every workspace whose
     * schedule has not got it yet, one after another; how many were taken (by this replica).
     */
    public Uni<Integer> takeDue(Instant now) {
        LocalDate month = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).minusMonths(1);
        return snapshots.due(month).chain(due -> {
            Uni<Integer> taken = Uni.createFrom().item(0);
            for (SnapshotRepository.Schedule s : due) {
                taken = taken.chain(n -> take(s, month).map(took -> n + (took ? 1 : 0)));
            }
            return taken;
        });
    }

    /**
     * The scheduled snapshot of {@code month}: claimed first, so one replica computes it; a failure gives the claim back (the
     * next check retries) and never stops the other workspaces' snapshots.
     */
    private Uni<Boolean> take(SnapshotRepository.Schedule s, LocalDate month) {
        List<ModelOptions> models = new ArrayList<>();
        s.models().forEach(m -> models.add(options((JsonObject) m)));
        return snapshots.claim(s.workspace(), month).chain(claimed -> !claimed ? Uni.createFrom().item(false)
                : create(s.workspace(), "Monthly " + month.toString().substring(0, 7), month, month.plusMonths(1).minusDays(1),
                        models, s.bases().stream().map(Basis::valueOf).toList(), s.groupBy().stream().map(Dimension::valueOf).toList(),
                        month).map(snapshot -> snapshot != null)
                        .onFailure().recoverWithUni(failure -> {
                            Log.warnf("workspace %s: the monthly snapshot of %s failed (%s); retried at the next check",
                                    s.workspace(), month, failure.getMessage());
                            return snapshots.release(s.workspace(), month).replaceWith(false);
                        }));
    }

    private static SnapshotSchedule view(SnapshotRepository.Schedule s) {
        List<ModelName> names = new ArrayList<>();
        s.models().forEach(m -> names.add(ModelName.valueOf(((JsonObject) m).getString("name"))));
        return new SnapshotSchedule(names, s.models().encode(), s.bases().stream().map(Basis::valueOf).toList(),
                s.groupBy().stream().map(Dimension::valueOf).toList(), s.updatedAt().toString());
    }

    /**
     * The groups of then (the snapshot's report) beside now; when the snapshot kept only the first rows of a larger report
     * ({@code cut}), only the groups it kept: a group beyond them had some amount then that is not known.
     */
    private static SnapshotChange change(Snapshot snapshot, ComputedReport then, boolean cut, ComputedReport now, String field,
                                         String after, int first) {
        Map<String, PerformanceRow[]> byKey = new LinkedHashMap<>();
        then.rows().forEach(r -> byKey.computeIfAbsent(r.key(), k -> new PerformanceRow[2])[0] = r);
        now.rows().forEach(r -> {
            PerformanceRow[] pair = byKey.get(r.key());
            if (pair != null || !cut) {
                byKey.computeIfAbsent(r.key(), k -> new PerformanceRow[2])[1] = r;
            }
        });
        int digits = Rounding.digits(now.currency() != null ? now.currency() : then.currency());
        List<SnapshotChangeRow> rows = new ArrayList<>();
        byKey.forEach((key, pair) -> rows.add(row(key, pair[0], pair[1], digits)));
        rows.sort(CHANGE_ORDER.comparator());
        Paging.Page<SnapshotChangeRow> page = Paging.page(field, rows, after, first, CHANGE_ORDER);
        return new SnapshotChange(snapshot, new SnapshotChangeRowConnection(page.edges(SnapshotChangeRowEdge::new),
                page.pageInfo(), page.totalCount()), row(null, then.totals(), now.totals(), digits), now.dataAsOf());
    }

    private static SnapshotChangeRow row(String key, PerformanceRow then, PerformanceRow now, int digits) {
        Money zero = Rounding.of(BigDecimal.ZERO, digits);
        Money amountThen = then == null ? zero : then.amount();
        Money amountNow = now == null ? zero : now.amount();
        return new SnapshotChangeRow(key, then == null ? 0 : then.credit(), now == null ? 0 : now.credit(), amountThen, amountNow,
                Money.of(amountNow.value().subtract(amountThen.value())), then == null ? zero : then.revenue(),
                now == null ? zero : now.revenue());
    }

    private static Snapshot view(Header h, List<SnapshotRepository.Report> reports) {
        List<SnapshotReportInfo> infos = new ArrayList<>();
        for (SnapshotRepository.Report r : reports) {
            infos.add(new SnapshotReportInfo(r.model(), ModelName.valueOf(r.options().getString("name")), Basis.valueOf(r.basis()),
                    Dimension.valueOf(r.groupBy()), r.options().encode(),
                    r.totalRows()));
        }
        JsonObject s = h.settings();
        return new Snapshot(h.id(), h.name(), h.createdAt().toString(), h.from().toString(), h.to().toString(),
                new SnapshotSettings(s.getInteger("lookbackDays"), s.getDouble("halfLifeDays"),
                        JourneyScope.valueOf(s.getString("journeyScope"))), h.dataVersion(), infos);
    }

    /** A model's parameters as given (null: the workspace's setting at the time it is computed). */
    static JsonObject options(ModelOptions o) {
        JsonObject out = new JsonObject().put("name", o.model().name()).put("halfLifeDays", o.halfLifeDays())
                .put("lookbackDays", o.lookbackDays()).put("markovOrder", o.markovOrder())
                .put("journeyScope", o.scope() == null ? null : o.scope().name());
        if (o.custom() != null) {
            JsonArray weights = new JsonArray();
            for (double w : o.custom().weights()) {
                weights.add(w);
            }
            out.put("weights", weights);
        }
        return out;
    }

    static ModelOptions options(JsonObject o) {
        JsonArray w = o.getJsonArray("weights");
        CustomModel custom = w == null ? null
                : new CustomModel(w.getDouble(0), w.getDouble(1), w.getDouble(2), w.getDouble(3), w.getDouble(4));
        String scope = o.getString("journeyScope");
        return new ModelOptions(ModelName.valueOf(o.getString("name")), Basis.PIPELINE, o.getDouble("halfLifeDays"),
                o.getInteger("lookbackDays"), o.getInteger("markovOrder"), custom, scope == null ? null : JourneyScope.valueOf(scope));
    }
}
