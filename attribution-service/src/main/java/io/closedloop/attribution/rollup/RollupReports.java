package io.closedloop.attribution.rollup;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.Dimension;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

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

    public RollupReports(Pool pool, RollupRepository rollups) {
        this.pool = pool;
        this.rollups = rollups;
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
        String modelName = model.name().toLowerCase(Locale.ROOT);
        RollupColumns columns = RollupColumns.of(model, custom);
        return rollups.sums(pool, workspace, state.generation(), basis.name(), columns, RollupRow.OPPORTUNITIES,
                        fromDay, toDay)
                .chain(counts -> rollups.sums(pool, workspace, state.generation(), basis.name(), columns,
                                groupBy.name(), fromDay, toDay)
                        .map(sums -> {
                            long attributed = 0;
                            long unattributed = 0;
                            for (Row r : counts) {
                                long n = Math.round(r.getDouble("credit"));
                                if (RollupRow.ATTRIBUTED.equals(r.getString("key"))) {
                                    attributed = n;
                                } else {
                                    unattributed = n;
                                }
                            }
                            List<AttributionRow> rows = new ArrayList<>();
                            for (Row r : sums) {
                                long opportunities = Math.round(r.getDouble("opportunities"));
                                double credit = r.getDouble("credit");
                                // Rows a delta brought back to zero are left out.
                                if (opportunities == 0 && Math.abs(credit) < 1e-9) {
                                    continue;
                                }
                                rows.add(new AttributionRow(r.getString("key"), credit, r.getDouble("amount"),
                                        (int) opportunities));
                            }
                            rows.sort(Comparator.comparing(AttributionRow::key, Journey::compareByCodePoint));
                            rows.sort(Comparator.comparingDouble(AttributionRow::credit).reversed());
                            return new AttributionReport(from.toString(), to.toString(), basis, modelName, groupBy, rows,
                                    (int) attributed, (int) unattributed, state.updatedAt().toString());
                        }));
    }

    private static boolean isMidnight(Instant t) {
        return t.getEpochSecond() % 86_400 == 0 && t.getNano() == 0;
    }
}
