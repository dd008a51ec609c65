package io.closedloop.attribution.service;

import io.closedloop.attribution.repository.RollupRepository;
import io.closedloop.attribution.rollup.RollupColumns;
import io.closedloop.attribution.rollup.RollupRow;
import io.closedloop.attribution.rollup.RollupState;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.rollup.ComponentSums;
import io.closedloop.attribution.rollup.RollupSum;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Answers {@code attribution(...)} from the rollups when they can: a standard model or custom
 * weights that are all &gt; 0 (RollupColumns), whole UTC
 * days, the parameters the current generation was computed with, and a complete (ready)
 * generation. Otherwise it emits null and the caller computes on demand.
 */
@ApplicationScoped
public class RollupReports {

    private final Pool pool;
    private final RollupRepository rollups;
    private final ReportCache cache;

    public RollupReports(Pool pool, RollupRepository rollups, ReportCache cache) {
        this.pool = pool;
        this.rollups = rollups;
        this.cache = cache;
    }

    /** True when the rollups of {@code state} answer this query exactly. */
    public static boolean answers(RollupState state, ModelName model, CustomModel custom, Instant from, Instant to,
                                  int lookbackDays, double halfLifeDays) {
        return state != null && state.ready() && RollupColumns.of(model, custom) != null
                && state.lookbackDays() == lookbackDays
                && (model != ModelName.TIME_DECAY || state.halfLifeDays() == halfLifeDays)
                && isMidnight(from) && isMidnight(to);
    }

    public Uni<RollupState> state(String workspace) {
        return rollups.state(pool, workspace);
    }

    public Uni<AttributionReport> report(String workspace, RollupState state, Instant from, Instant to, Dimension groupBy,
                                         ModelName model, CustomModel custom, Basis basis) {
        LocalDate fromDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate toDay = LocalDate.ofInstant(to, ZoneOffset.UTC);
        RollupColumns columns = RollupColumns.of(model, custom);
        Uni<List<RollupSum>> read = columns.weighsComponents()
                ? components(workspace, state, groupBy, fromDay, toDay).map(groups -> groups.stream()
                        .filter(g -> g.basis().equals(basis.name())).map(columns::weigh).toList())
                : rollups.sums(pool, workspace, state.generation(), basis.name(), columns, RollupRow.OPPORTUNITIES, fromDay, toDay)
                        .chain(counts -> rollups.sums(pool, workspace, state.generation(), basis.name(), columns, groupBy.name(),
                                fromDay, toDay).map(sums -> concat(counts, sums)));
        return read.map(sums -> {
            long attributed = 0;
            long unattributed = 0;
            double unattributedAmount = 0;
            List<AttributionRow> rows = new ArrayList<>();
            for (RollupSum r : sums) {
                if (RollupRow.OPPORTUNITIES.equals(r.dimension())) {
                    long n = Math.round(r.credit());
                    if (RollupRow.ATTRIBUTED.equals(r.key())) {
                        attributed = n;
                    } else {
                        unattributed = n;
                        unattributedAmount = r.amount();
                    }
                    continue;
                }
                long opportunities = Math.round(r.opportunities());
                // Rows a delta brought back to zero are left out.
                if (opportunities == 0 && Math.abs(r.credit()) < 1e-9) {
                    continue;
                }
                rows.add(new AttributionRow(r.key(), r.credit(), r.amount(), (int) opportunities));
            }
            rows.sort(Comparator.comparing(AttributionRow::key, Journey::compareByCodePoint));
            rows.sort(Comparator.comparingDouble(AttributionRow::credit).reversed());
            return new AttributionReport(from.toString(), to.toString(), basis, model, groupBy, rows,
                    (int) attributed, (int) unattributed, unattributedAmount, state.updatedAt().toString(),
                    null);
        });
    }

    /**
     * The won deals' sums of {@code groupBy} (REVENUE and NEW_CUSTOMER, with their OPPORTUNITIES counts; opportunities:
     * the deals whose journey has the key), days in [from, to).
     */
    public Uni<List<RollupSum>> wonSums(String workspace, RollupState state, RollupColumns columns, Dimension groupBy,
                                        LocalDate from, LocalDate to) {
        if (columns.weighsComponents()) {
            return components(workspace, state, groupBy, from, to).map(groups -> groups.stream()
                    .filter(g -> !g.basis().equals(Basis.PIPELINE.name())).map(columns::weigh).toList());
        }
        return rollups.wonSums(pool, workspace, state.generation(), columns, groupBy.name(), from, to);
    }

    /**
     * The custom components' sums of a period and dimension, kept with the rollups' version: a custom-weights slider sends
     * a new weight vector with every move, and each is weighed from this one read.
     */
    private Uni<List<ComponentSums>> components(String workspace, RollupState state, Dimension groupBy, LocalDate from,
                                                LocalDate to) {
        return cache.get(String.join("|", "components", workspace, from.toString(), to.toString(), groupBy.name()),
                state.version(), () -> rollups.componentSums(pool, workspace, state.generation(), groupBy.name(), from, to));
    }

    private static List<RollupSum> concat(List<RollupSum> a, List<RollupSum> b) {
        List<RollupSum> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean isMidnight(Instant t) {
        return t.getEpochSecond() % 86_400 == 0 && t.getNano() == 0;
    }
}
