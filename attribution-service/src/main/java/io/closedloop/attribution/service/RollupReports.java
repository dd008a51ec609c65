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
    private final RollupIndex index;

    public RollupReports(Pool pool, RollupRepository rollups, RollupIndex index) {
        this.pool = pool;
        this.rollups = rollups;
        this.index = index;
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

    /** The report's rows by credit, then key; in no particular order when not {@code sorted} (the performance report orders its own). */
    public Uni<AttributionReport> report(RollupState state, Instant from, Instant to, Dimension groupBy, ModelName model,
                                  CustomModel custom, Basis basis, boolean sorted) {
        LocalDate fromDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate toDay = LocalDate.ofInstant(to, ZoneOffset.UTC);
        RollupColumns columns = RollupColumns.of(model, custom);
        Uni<List<RollupSum>> read = read(state, basis.name(), groupBy, columns, day(fromDay), day(toDay), false);
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
                rows.add(new AttributionRow(r.key(), r.credit(), r.amount(), (int) opportunities));
            }
            if (sorted) {
                rows.sort(Comparator.comparing(AttributionRow::key, Journey::compareByCodePoint));
                rows.sort(Comparator.comparingDouble(AttributionRow::credit).reversed());
            }
            return new AttributionReport(from.toString(), to.toString(), basis, model, groupBy, rows,
                    (int) attributed, (int) unattributed, unattributedAmount, state.updatedAt().toString(),
                    null);
        });
    }

    /** The OPPORTUNITIES counts and the groups of one basis, from the index (RollupIndex). */
    private Uni<List<RollupSum>> read(RollupState state, String basis, Dimension groupBy, RollupColumns columns, int from, int to,
                                      boolean won) {
        return index.sums(state, basis, RollupRow.OPPORTUNITIES, columns, from, to)
                .chain(counts -> index.sums(state, basis, groupBy.name(), columns, from, to).map(groups -> {
                    List<RollupSum> out = new ArrayList<>(counts.size() + groups.size());
                    counts.forEach((key, v) -> out.add(won ? columns.wonSum(basis, RollupRow.OPPORTUNITIES, key, v)
                            : columns.reportSum(basis, RollupRow.OPPORTUNITIES, key, v)));
                    groups.forEach((key, v) -> {
                        // A key in some journey of the period is a row, with no credit under this model as on demand.
                        if (columns.present(v)) {
                            out.add(won ? columns.wonSum(basis, groupBy.name(), key, v)
                                    : columns.reportSum(basis, groupBy.name(), key, v));
                        }
                    });
                    return out;
                }));
    }

    private static int day(LocalDate day) {
        return (int) day.toEpochDay();
    }

    private static boolean isMidnight(Instant t) {
        return t.getEpochSecond() % 86_400 == 0 && t.getNano() == 0;
    }
}
