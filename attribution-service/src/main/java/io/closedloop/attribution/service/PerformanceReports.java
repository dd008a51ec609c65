package io.closedloop.attribution.service;

import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.CohortGranularity;
import io.closedloop.attribution.report.ComputedReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.Rounding;
import io.closedloop.attribution.repository.ReportRepository;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.ReportViews.AccountCredit;
import io.closedloop.attribution.report.ReportViews.CohortLtvReport;
import io.closedloop.attribution.report.ReportViews.CohortRow;
import io.closedloop.attribution.report.ReportViews.ComparisonRow;
import io.closedloop.attribution.report.ReportViews.ComparisonRowConnection;
import io.closedloop.attribution.report.ReportViews.ComparisonRowEdge;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunity;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunityConnection;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunityEdge;
import io.closedloop.attribution.report.ReportViews.ModelComparison;
import io.closedloop.attribution.report.ReportViews.PerformanceMetrics;
import io.closedloop.attribution.report.ReportViews.ReportRowConnection;
import io.closedloop.attribution.report.ReportViews.ReportRowEdge;
import io.closedloop.attribution.report.ReportViews.RowInterval;
import io.closedloop.attribution.report.BootstrapIntervals;
import io.closedloop.attribution.report.RefitIntervals;
import io.closedloop.attribution.report.ReportViews.Unattributed;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.AttributionService.DealCredits;
import io.closedloop.attribution.service.AttributionService.OpportunityCredit;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.rollup.KeyNumbers;
import io.closedloop.attribution.rollup.SpendSums;
import io.closedloop.attribution.rollup.WonDealDays;
import io.closedloop.attribution.report.PerformanceTable;
import io.closedloop.attribution.report.Selection;
import io.closedloop.attribution.rollup.RollupColumns;
import io.closedloop.attribution.rollup.RollupSum;
import io.closedloop.attribution.rollup.RollupRow;
import io.closedloop.attribution.rollup.RollupState;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Performance by a touch dimension with the DESIGN §5 metrics, its drill-down to opportunities,
 * and cohort LTV. When the rollups answer the query (standard model or custom weights all &gt; 0,
 * whole days) every figure comes from materialized data: credit sums of both bases, won deals and
 * revenue from credit_rollup (new-customer credit from its NEW_CUSTOMER rows), days to conversion
 * from won_deal_rollup. Otherwise (custom weights with a 0, data-driven models, other parameters)
 * the won deals' journeys are computed on demand, with the same figures.
 */
@ApplicationScoped
public class PerformanceReports {

    private static final double DAY_MILLIS = 86_400_000.0;

    private final AttributionService attribution;
    private final ReportRepository reports;
    private final RollupReports rollupReports;
    private final RollupIndex index;
    private final ReportCache cache;
    private final OnDemandWork onDemand;

    public PerformanceReports(AttributionService attribution, ReportRepository reports, RollupReports rollupReports,
                              RollupIndex index, ReportCache cache, OnDemandWork onDemand) {
        this.cache = cache;
        this.onDemand = onDemand;
        this.attribution = attribution;
        this.reports = reports;
        this.rollupReports = rollupReports;
        this.index = index;
    }

    public Uni<ComputedReport> performance(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options) {
        // Sequential: the settings lookups inside share one reactive session per request.
        return attribution.answeringRollups(workspace, from, to, options).chain(state -> state == null
                ? compute(workspace, from, to, groupBy, options, null)
                // From the rollups: the same arguments at the same data version give the same answer.
                : cache.get(workspace, String.join("|", "performance", from.toString(), to.toString(), groupBy.name(),
                                String.valueOf(RollupColumns.of(options.model(), options.custom())), options.basis().name(),
                                String.valueOf(options.halfLifeDays()),
                                String.valueOf(options.lookbackDays()), String.valueOf(options.scope())),
                        state.version(), () -> compute(workspace, from, to, groupBy, options, state)));
    }

    private Uni<ComputedReport> compute(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options,
                                            RollupState state) {
        String dataAsOf = Instant.now().toString();
        LocalDate firstDay = day(from);
        LocalDate endDay = endDay(to);
        if (state == null && options.basis() == Basis.REVENUE) {
            // On demand, the revenue report and its won deals' credits come of one computation (one fit of a data-driven model).
            return attribution.revenueOnDemand(workspace, from, to, groupBy, options).chain(revenue -> attribution
                    .attribution(workspace, from, to, groupBy, with(options, Basis.PIPELINE))
                    .chain(pipeline -> wonDeals(workspace, revenue.won())
                            .chain(won -> spendAndCurrency(workspace, firstDay, endDay, groupBy)
                                    .map(spend -> performance(groupBy, options, revenue.report(), pipeline, won, spend.byKey(),
                                            spend.total(), spend.currency(), dataAsOf)))));
        }
        if (state != null) {
            return fromRollups(state, firstDay, endDay, groupBy, options, dataAsOf);
        }
        return attribution.attribution(workspace, from, to, groupBy, options)
                .chain(basis -> (options.basis() == Basis.PIPELINE ? Uni.createFrom().item(basis)
                        : attribution.attribution(workspace, from, to, groupBy, with(options, Basis.PIPELINE)))
                .chain(pipeline -> wonOnDemand(workspace, from, to, groupBy, options)
                        .chain(won -> spendAndCurrency(workspace, firstDay, endDay, groupBy)
                                .map(spend -> performance(groupBy, options, basis, pipeline, won, spend.byKey(),
                                        spend.total(), spend.currency(), dataAsOf)))));
    }

    /**
     * The report from the rollups' running sums (RollupIndex), every figure an array by key number: the basis's, the
     * pipeline's, the won deals' and the new customers' sums, the spend and the medians of the dimension's keys, added over
     * the period; rows are made for the page asked only (PerformanceTable).
     */
    private Uni<ComputedReport> fromRollups(RollupState state, LocalDate fromDay, LocalDate endDay, Dimension groupBy,
                                            ModelOptions options, String dataAsOf) {
        int from = (int) fromDay.toEpochDay();
        int to = (int) endDay.toEpochDay();
        RollupColumns columns = RollupColumns.of(options.model(), options.custom());
        String dimension = groupBy.name();
        String basis = options.basis().name();
        String revenue = Basis.REVENUE.name();
        return Uni.combine().all().unis(index.period(state, Basis.PIPELINE.name(), dimension, columns),
                        index.period(state, revenue, dimension, columns),
                        index.period(state, RollupRow.NEW_CUSTOMER, dimension, columns),
                        index.sums(state, basis, RollupRow.OPPORTUNITIES, columns, from, to),
                        index.sums(state, revenue, RollupRow.OPPORTUNITIES, columns, from, to),
                        index.sums(state, RollupRow.NEW_CUSTOMER, RollupRow.OPPORTUNITIES, columns, from, to),
                        index.wonDealDays(state, groupBy), index.spend(state))
                .with(parts -> parts).chain(parts -> index.currency(state).map(currency -> {
                    @SuppressWarnings("unchecked")
                    RollupSumsOfPeriod sums = new RollupSumsOfPeriod((RollupIndex.Period) parts.get(0),
                            (RollupIndex.Period) parts.get(1), (RollupIndex.Period) parts.get(2),
                            (Map<String, double[]>) parts.get(3), (Map<String, double[]>) parts.get(4),
                            (Map<String, double[]>) parts.get(5), (WonDealDays) parts.get(6), (SpendSums) parts.get(7),
                            groupBy.spendColumn());
                    return new ComputedReport(options.model(), options.basis(), groupBy, currency, dataAsOf,
                            table(sums, options.basis(), columns, from, to, currency), null);
                }));
    }

    /** What a report from the rollups reads: the period structures of a dimension and the OPPORTUNITIES counts of a period. */
    private record RollupSumsOfPeriod(RollupIndex.Period pipeline, RollupIndex.Period revenue, RollupIndex.Period newCustomers,
                                      Map<String, double[]> basisCounts, Map<String, double[]> revenueCounts,
                                      Map<String, double[]> newCustomerCounts, WonDealDays deals, SpendSums spend,
                                      String spendColumn) {

        /** The numbers every structure of the dimension names its keys by (RollupIndex.numbers). */
        KeyNumbers numbers() {
            KeyNumbers numbers = deals.numbers();
            boolean apart = spendColumn != null && spend.byColumn().get(spendColumn).numbers() != numbers;
            for (RollupIndex.Period p : List.of(pipeline, revenue, newCustomers)) {
                apart |= p.parts().numbers() != numbers || p.deltas().numbers() != numbers;
            }
            if (apart) {
                throw new IllegalStateException("the structures of one report are numbered apart");
            }
            return numbers;
        }
    }

    /** The report's table from the rollups' sums of days [from, to) (epoch days); see {@link #performance} for the figures. */
    static PerformanceTable table(RollupSumsOfPeriod sums, Basis basis, RollupColumns columns, int from, int to,
                                  String currency) {
        KeyNumbers numbers = sums.numbers();
        int n = numbers.size();
        int w = columns.indexWidth();
        double[] pipeline = new double[n * w];
        sums.pipeline().addTo(from, to, pipeline);
        double[] won = new double[n * w];
        sums.revenue().addTo(from, to, won);
        double[] basisSums = basis == Basis.PIPELINE ? pipeline : won;
        double[] spend = new double[n * SpendSums.WIDTH];
        sums.spend().addTo(sums.spendColumn(), from, to, spend);
        int rows = 0;
        boolean[] row = new boolean[n];
        for (int k = 0; k < n; k++) {
            int at = k * w;
            row[k] = columns.present(basisSums, at) || columns.present(pipeline, at) || columns.present(won, at)
                    || spend[k * SpendSums.WIDTH + 1] > 0.5;
            rows += row[k] ? 1 : 0;
        }
        String[] keys = new String[rows];
        int[] numberOf = new int[rows];
        boolean[] wonIn = new boolean[rows];
        double[] exact = new double[rows * PerformanceTable.FIGURES];
        int r = 0;
        for (int k = 0; k < n; k++) {
            if (!row[k]) {
                continue;
            }
            int at = k * w;
            int f = r * PerformanceTable.FIGURES;
            keys[r] = numbers.name(k);
            numberOf[r] = k;
            if (columns.present(basisSums, at)) {
                exact[f + PerformanceTable.CREDIT] = columns.credit(basisSums, at);
                exact[f + PerformanceTable.AMOUNT] = columns.amount(basisSums, at);
                exact[f + PerformanceTable.OPPORTUNITIES] = Math.round(columns.credited(basisSums, at));
            }
            exact[f + PerformanceTable.SPEND] = spend[k * SpendSums.WIDTH];
            if (columns.present(pipeline, at)) {
                exact[f + PerformanceTable.PIPELINE_CREDIT] = columns.credit(pipeline, at);
                exact[f + PerformanceTable.PIPELINE] = columns.amount(pipeline, at);
            }
            if (columns.present(won, at)) {
                exact[f + PerformanceTable.WON_DEALS] = columns.credit(won, at);
                exact[f + PerformanceTable.REVENUE] = columns.amount(won, at);
                wonIn[r] = true;
            }
            r++;
        }
        // A row's new customers and median days: for the page's rows only, each from its key's own cells and deals. Only
        // those two structures are held (a kept report holds them past the index's bound).
        RollupIndex.Period newCustomerSums = sums.newCustomers();
        WonDealDays deals = sums.deals();
        PerformanceTable.PageFigures pageFigures = new PerformanceTable.PageFigures() {
            @Override
            public double newCustomers(int group) {
                if (!wonIn[group]) {
                    return 0;
                }
                double[] v = new double[w];
                newCustomerSums.addTo(numberOf[group], from, to, v, 0);
                // A key in no new customer's journey of the period is none (its sums are the deltas' rounding residue).
                return columns.present(v, 0) ? columns.credit(v, 0) : 0;
            }

            @Override
            public Double medianDays(int group) {
                return deals.median(numberOf[group], from, to, columns.model());
            }
        };
        String basisName = basis.name();
        RollupSum attributed = counts(sums.basisCounts(), columns, basisName, RollupRow.ATTRIBUTED);
        RollupSum unattributed = counts(sums.basisCounts(), columns, basisName, RollupRow.UNATTRIBUTED);
        RollupSum wonDeals = counts(sums.revenueCounts(), columns, Basis.REVENUE.name(), RollupRow.ATTRIBUTED);
        RollupSum firstWon = counts(sums.newCustomerCounts(), columns, RollupRow.NEW_CUSTOMER, RollupRow.ATTRIBUTED);
        int digits = Rounding.digits(currency);
        return new PerformanceTable(keys, exact, pageFigures, new PerformanceTable.Totals(Math.round(attributed.credit()),
                sums.spend().total(from, to), Math.round(wonDeals.credit()), wonDeals.amount(), Math.round(firstWon.credit()),
                deals.median(from, to), new Unattributed((int) Math.round(unattributed.credit()),
                Rounding.round(unattributed.amount(), digits))), digits);
    }

    /** An OPPORTUNITIES count of a period (ATTRIBUTED or UNATTRIBUTED), zero when the period has none. */
    private static RollupSum counts(Map<String, double[]> counts, RollupColumns columns, String basis, String key) {
        double[] v = counts.get(key);
        return v == null ? new RollupSum(basis, RollupRow.OPPORTUNITIES, key, 0, 0, 0)
                : columns.reportSum(basis, RollupRow.OPPORTUNITIES, key, v);
    }

    /**
     * The won deals of the period by key: per key credit, revenue and new-customer credit, the
     * median days to conversion of the deals giving it credit &gt; 0, the keys of the deals' journeys,
     * and totals over the deals (count, revenue, new customers, median days).
     */
    record WonDeals(Set<String> keys, Map<String, double[]> sums, DealDays days, double[] total) {
    }

    /** From the won deals' journeys computed on demand (custom and data-driven models, partial days, other parameters). */
    private Uni<WonDeals> wonOnDemand(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options) {
        return attribution.dealCredits(workspace, from, to, groupBy, with(options, Basis.REVENUE)).chain(won -> wonDeals(workspace, won));
    }

    /**
     * Which of the won deals are their account's first: known with the deals in memory, else asked of the database (a
     * quarter's few thousand deals each looked at with its account's: about 26 ms of PostgreSQL per report).
     */
    private Uni<Set<String>> firstWon(String workspace, DealCredits won) {
        if (won.firstWon() == null) {
            return reports.firstWonAmong(workspace, won.deals().stream().map(Opportunity::id).toList());
        }
        Set<String> among = new HashSet<>();
        for (Opportunity o : won.deals()) {
            if (won.firstWon().contains(o.id())) {
                among.add(o.id());
            }
        }
        return Uni.createFrom().item(among);
    }

    /**
     * The won deals' figures from their credits (a quarter's: thousands of deals, tens of keys each): by key number in
     * arrays, on a worker thread; the keys named once at the end.
     */
    private Uni<WonDeals> wonDeals(String workspace, DealCredits won) {
        return firstWon(workspace, won).emitOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                .map(firstWon -> {
                    int keys = won.names().length;
                    double[][] sums = new double[keys][];
                    int[] credited = new int[keys];
                    double[] total = new double[3];
                    int deals = won.deals().size();
                    double[] toClose = new double[deals];
                    for (int k = 0; k < deals; k++) {
                        Opportunity o = won.deals().get(k);
                        double amount = o.amountOrZero();
                        boolean newCustomer = firstWon.contains(o.id());
                        toClose[k] = (o.closedAt().toEpochMilli() - won.firstTouchAt()[k]) / DAY_MILLIS;
                        total[0] += 1;
                        total[1] += amount;
                        total[2] += newCustomer ? 1 : 0;
                        for (int i = won.offsets()[k]; i < won.offsets()[k + 1]; i++) {
                            int key = won.keys()[i];
                            double credit = won.credits()[i];
                            double[] s = sums[key] == null ? sums[key] = new double[3] : sums[key];
                            s[0] += credit;
                            s[1] += credit * amount;
                            s[2] += newCustomer ? credit : 0;
                            credited[key] += credit > 0 ? 1 : 0;
                        }
                    }
                    // The days to conversion of the deals crediting each key, in deal order.
                    double[][] days = new double[keys][];
                    int[] filled = new int[keys];
                    for (int k = 0; k < deals; k++) {
                        for (int i = won.offsets()[k]; i < won.offsets()[k + 1]; i++) {
                            int key = won.keys()[i];
                            if (won.credits()[i] > 0) {
                                if (days[key] == null) {
                                    days[key] = new double[credited[key]];
                                }
                                days[key][filled[key]++] = toClose[k];
                            }
                        }
                    }
                    Set<String> present = new HashSet<>();
                    Map<String, double[]> byKey = new HashMap<>();
                    Map<String, Double> medians = new HashMap<>();
                    for (int key = 0; key < keys; key++) {
                        if (sums[key] != null) {
                            present.add(won.names()[key]);
                            byKey.put(won.names()[key], sums[key]);
                            if (days[key] != null) {
                                medians.put(won.names()[key], Selection.median(days[key], 0, days[key].length));
                            }
                        }
                    }
                    Double medianAll = deals == 0 ? null : Selection.median(toClose, 0, deals);
                    return new WonDeals(present, byKey, new DealDays(medians, medianAll), total);
                });
    }

    /** Median days to conversion of the period's won deals: by each key a model credits (absent: none), and of all. */
    record DealDays(Map<String, Double> medianByKey, Double medianAll) {
    }

    /**
     * The report from its bases' reports, the won deals and the spend by key. Exact (unrounded) figures per key: credit,
     * amount, opportunities, spend, pipeline credit, pipeline, won deals, revenue, new customers (PerformanceTable); the
     * totals over the scope count every attributed deal once, whichever groups share its credit.
     */
    private static ComputedReport performance(Dimension groupBy, ModelOptions options, AttributionReport basis,
                                              AttributionReport pipeline, WonDeals won, Map<String, Double> spend,
                                              double totalSpend, String currency, String dataAsOf) {
        Set<String> keys = new HashSet<>();
        Map<String, AttributionRow> basisRows = byKey(basis.rows(), keys);
        Map<String, AttributionRow> pipelineRows = byKey(pipeline.rows(), keys);
        keys.addAll(spend.keySet());
        keys.addAll(won.keys());
        Map<String, double[]> wonSums = won.sums();
        Map<String, Double> medianDays = won.days().medianByKey();
        String[] keyList = keys.toArray(new String[0]);
        int f = PerformanceTable.FIGURES;
        double[] exact = new double[keyList.length * f];
        double[] newCustomers = new double[keyList.length];
        Double[] medians = new Double[keyList.length];
        for (int i = 0; i < keyList.length; i++) {
            String key = keyList[i];
            AttributionRow b = basisRows.get(key);
            AttributionRow p = pipelineRows.get(key);
            double[] w = wonSums.getOrDefault(key, new double[3]);
            double[] figures = {b == null ? 0 : b.credit(), b == null ? 0 : b.amount(), b == null ? 0 : b.opportunities(),
                    spend.getOrDefault(key, 0.0), p == null ? 0 : p.credit(), p == null ? 0 : p.amount(), w[0], w[1]};
            System.arraycopy(figures, 0, exact, i * f, f);
            newCustomers[i] = w[2];
            medians[i] = medianDays.get(key);
        }
        double[] wonTotal = won.total();
        int digits = Rounding.digits(currency);
        PerformanceTable.PageFigures pageFigures = new PerformanceTable.PageFigures() {
            @Override
            public double newCustomers(int group) {
                return newCustomers[group];
            }

            @Override
            public Double medianDays(int group) {
                return medians[group];
            }
        };
        PerformanceTable table = new PerformanceTable(keyList, exact, pageFigures, new PerformanceTable.Totals(
                basis.attributedOpportunities(), totalSpend, wonTotal[0], wonTotal[1], wonTotal[2], won.days().medianAll(),
                new Unattributed(basis.unattributedOpportunities(), Rounding.round(basis.unattributedAmount(), digits))), digits);
        return new ComputedReport(options.model(), options.basis(), groupBy, currency, dataAsOf, table, basis.explanation());
    }

    /** What an interval asks: its level, how many resamples, and the seed of their draws. */
    public record IntervalOptions(double level, int resamples, long seed) {
    }

    /** {@code page} with the sampling intervals (BootstrapIntervals) of its rows and totals. */
    public Uni<PerformanceMetrics> withIntervals(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options,
                                                 PerformanceMetrics page, IntervalOptions interval) {
        List<ReportRowEdge> edges = page.rows().edges();
        List<String> keys = new ArrayList<>(edges.size());
        double[] spend = new double[edges.size()];
        for (int r = 0; r < spend.length; r++) {
            keys.add(edges.get(r).node().key());
            spend[r] = edges.get(r).node().spend().value().doubleValue();
        }
        return intervals(workspace, from, to, groupBy, options, keys, spend, page.totals().spend().value().doubleValue(), interval)
                .map(bounds -> {
                    List<ReportRowEdge> withBounds = new ArrayList<>(edges.size());
                    for (int r = 0; r < edges.size(); r++) {
                        withBounds.add(new ReportRowEdge(edges.get(r).cursor(), edges.get(r).node().withInterval(bounds.get(r))));
                    }
                    return new PerformanceMetrics(page.model(), page.basis(), page.groupBy(), page.currency(), page.dataAsOf(),
                            new ReportRowConnection(withBounds, page.rows().pageInfo(), page.rows().totalCount()),
                            page.totals().withInterval(bounds.get(keys.size())), page.explanation());
                });
    }

    /**
     * The sampling intervals (BootstrapIntervals) of the groups {@code keys} (with their spend) and of the totals (last):
     * every opportunity of the period (created or won in it) with its credits under the model on both bases, computed on
     * demand, then resampled on a worker thread charged to the workspace's on-demand share (what the user chose to compute).
     */
    public Uni<List<RowInterval>> intervals(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options,
                                            List<String> keys, double[] spend, double totalSpend, IntervalOptions interval) {
        if (!options.model().isRuleBased()) {
            // Each resample refits the model (RefitIntervals) over both bases' journeys and populations.
            return attribution.fittedJourneys(workspace, from, to, options).chain(sides -> reports.firstWonAmong(workspace,
                            sides.get(1).opportunities().stream().map(Opportunity::id).toList())
                    .chain(firstWon -> onDemand.run(workspace, true, () -> Uni.createFrom().item(firstWon),
                            newCustomers -> refit(sides, newCustomers, groupBy, keys, spend, totalSpend, options, interval))));
        }
        // One after the other: each takes one of the workspace's on-demand permits.
        return attribution.dealCredits(workspace, from, to, groupBy, with(options, Basis.PIPELINE))
                .chain(pipeline -> attribution.dealCredits(workspace, from, to, groupBy, with(options, Basis.REVENUE))
                        .chain(won -> firstWon(workspace, won)
                                .chain(firstWon -> onDemand.run(workspace, true, () -> Uni.createFrom().item(firstWon),
                                        newCustomers -> resample(pipeline, won, newCustomers, keys, spend, totalSpend,
                                                options.basis(), interval)))));
    }

    private static List<RowInterval> refit(List<RefitSource> sides, Set<String> newCustomers, Dimension groupBy,
                                           List<String> keys, double[] spend, double totalSpend, ModelOptions options,
                                           IntervalOptions interval) {
        Map<String, Integer> rowOf = new HashMap<>();
        for (int r = 0; r < keys.size(); r++) {
            rowOf.put(keys.get(r), r);
        }
        Map<String, Integer> units = new HashMap<>();
        RefitIntervals.Side pipeline = sides.get(0).refitSide(groupBy, rowOf, units, Set.of());
        RefitIntervals.Side won = sides.get(1).refitSide(groupBy, rowOf, units, newCustomers);
        return RefitIntervals.of(options.model(), options.markovOrder(), pipeline, won, units.size(), keys.size(), spend,
                totalSpend, options.basis(), interval.level(), interval.resamples(), interval.seed());
    }

    private static List<RowInterval> resample(DealCredits pipeline, DealCredits won, Set<String> newCustomers, List<String> keys,
                                              double[] spend, double totalSpend, Basis basis, IntervalOptions interval) {
        // Keys numbered: the groups asked first (0 .. rows - 1), then every other key of a deal.
        Map<String, Integer> numbers = new HashMap<>();
        int[] rows = new int[keys.size()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = numbers.computeIfAbsent(keys.get(r), k -> numbers.size());
        }
        Map<String, Credited> pipelineOf = credited(pipeline, numbers);
        Map<String, Credited> wonOf = credited(won, numbers);
        Map<String, Opportunity> byId = new TreeMap<>();
        pipeline.deals().forEach(o -> byId.put(o.id(), o));
        won.deals().forEach(o -> byId.put(o.id(), o));
        List<BootstrapIntervals.Deal> deals = new ArrayList<>(byId.size());
        byId.forEach((id, o) -> {
            Credited p = pipelineOf.getOrDefault(id, Credited.NONE);
            Credited w = wonOf.getOrDefault(id, Credited.NONE);
            deals.add(new BootstrapIntervals.Deal(o.amountOrZero(), newCustomers.contains(id),
                    p.keys(), p.credits(), w.keys(), w.credits()));
        });
        return BootstrapIntervals.of(deals, basis, rows, spend, totalSpend, interval.level(), interval.resamples(),
                interval.seed());
    }

    /**
     * {@code comparison} with each model's sampling intervals of its page's groups, model after model (each resampled with
     * the same draws: the deals of the period are the same for every model), the spend of each group from the reports.
     */
    public Uni<ModelComparison> withIntervals(String workspace, Instant from, Instant to, Dimension groupBy, List<ModelOptions> models,
                                              List<ComputedReport> reports, ModelComparison comparison, IntervalOptions interval) {
        Map<String, Double> spendOf = new HashMap<>();
        reports.forEach(r -> r.rows().forEach(row -> spendOf.put(row.key(), row.spend().value().doubleValue())));
        List<ComparisonRowEdge> edges = comparison.rows().edges();
        List<String> keys = edges.stream().map(e -> e.node().key()).toList();
        double[] spend = new double[keys.size()];
        for (int r = 0; r < spend.length; r++) {
            spend[r] = spendOf.getOrDefault(keys.get(r), 0.0);
        }
        double totalSpend = reports.get(0).totals().spend().value().doubleValue();
        Uni<List<List<RowInterval>>> all = Uni.createFrom().item(ArrayList::new);
        for (ModelOptions model : models) {
            all = all.chain(done -> intervals(workspace, from, to, groupBy, model, keys, spend, totalSpend, interval).map(bounds -> {
                done.add(bounds);
                return done;
            }));
        }
        return all.map(byModel -> {
            List<ComparisonRowEdge> withBounds = new ArrayList<>(edges.size());
            for (int r = 0; r < edges.size(); r++) {
                List<RowInterval> ofRow = new ArrayList<>(byModel.size());
                for (List<RowInterval> bounds : byModel) {
                    ofRow.add(bounds.get(r));
                }
                withBounds.add(new ComparisonRowEdge(edges.get(r).cursor(), edges.get(r).node().withIntervals(ofRow)));
            }
            return new ModelComparison(comparison.models(), comparison.reports(),
                    new ComparisonRowConnection(withBounds, comparison.rows().pageInfo(), comparison.rows().totalCount()));
        });
    }

    /** One deal's credits by key number. */
    private record Credited(int[] keys, double[] credits) {
        static final Credited NONE = new Credited(new int[0], new double[0]);
    }

    /** Each deal's credits by id, its keys numbered as in {@code numbers} (keys not there yet numbered on). */
    private static Map<String, Credited> credited(DealCredits credits, Map<String, Integer> numbers) {
        int[] number = new int[credits.names().length];
        for (int key = 0; key < number.length; key++) {
            number[key] = numbers.computeIfAbsent(credits.names()[key], k -> numbers.size());
        }
        Map<String, Credited> out = new HashMap<>();
        for (int k = 0; k < credits.deals().size(); k++) {
            int from = credits.offsets()[k];
            int[] keys = new int[credits.offsets()[k + 1] - from];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = number[credits.keys()[from + i]];
            }
            out.put(credits.deals().get(k).id(), new Credited(keys, Arrays.copyOfRange(credits.credits(), from,
                    credits.offsets()[k + 1])));
        }
        return out;
    }

    /** The opportunities behind one row of the performance report, largest attributed amount first, then by id. */
    public Uni<CreditedOpportunityConnection> creditedOpportunities(String workspace, Instant from, Instant to, Dimension groupBy,
                                                                    String key, ModelOptions options, String field, String after,
                                                                    int first) {
        return attribution.opportunityCredits(workspace, from, to, groupBy, options).map(credits -> {
            List<CreditedOpportunity> out = new ArrayList<>();
            for (OpportunityCredit oc : credits) {
                double credit = key == null ? 1 : oc.creditByKey().getOrDefault(key, 0.0);
                int touches = key == null ? oc.touches() : oc.touchesByKey().getOrDefault(key, 0);
                if (credit <= 0) {
                    continue;
                }
                var o = oc.opportunity();
                Instant converted = options.basis() == Basis.PIPELINE ? o.createdAt() : o.closedAt();
                int digits = Rounding.digits(o.currency());
                out.add(new CreditedOpportunity(o.id(), o.accountId(), Rounding.round(amount(oc), digits), o.currency(), credit,
                        Rounding.round(credit * amount(oc), digits), touches, converted.toString()));
            }
            out.sort(CREDITED_ORDER.comparator());
            Paging.Page<CreditedOpportunity> page = Paging.page(field, out, after, first, CREDITED_ORDER);
            return new CreditedOpportunityConnection(page.edges(CreditedOpportunityEdge::new), page.pageInfo(), page.totalCount());
        });
    }

    private static final Paging.Order<CreditedOpportunity> CREDITED_ORDER = Paging.byAmountThenKey(
            CreditedOpportunity::attributedAmount, CreditedOpportunity::opportunityId);

    /**
     * For each of {@code accounts}, in their order, the credit its opportunities converting in [from, to) give each group
     * under the model, largest amount first, then by key: the performance report's rows restricted to the account, the
     * amounts apportioned so that an account's groups add up to its attributed amount exactly. One computation for any
     * number of accounts (AttributionService.opportunityCredits of those accounts).
     */
    public Uni<List<List<AccountCredit>>> accountCredits(String workspace, List<String> accounts, Instant from, Instant to,
                                                         Dimension groupBy, ModelOptions options) {
        return attribution.opportunityCredits(workspace, from, to, groupBy, options, new HashSet<>(accounts)).map(credits -> {
            Map<String, List<OpportunityCredit>> byAccount = new HashMap<>();
            for (OpportunityCredit oc : credits) {
                byAccount.computeIfAbsent(oc.opportunity().accountId(), a -> new ArrayList<>()).add(oc);
            }
            List<List<AccountCredit>> out = new ArrayList<>(accounts.size());
            for (String account : accounts) {
                List<OpportunityCredit> theirs = byAccount.getOrDefault(account, List.of());
                // Exact credit and amount per key, summed in the order of the keys.
                Map<String, double[]> sums = new TreeMap<>(Journey::compareByCodePoint);
                String currency = null;
                for (OpportunityCredit oc : theirs) {
                    currency = currency != null ? currency : oc.opportunity().currency();
                    double amount = amount(oc);
                    oc.creditByKey().forEach((key, credit) -> {
                        double[] sum = sums.computeIfAbsent(key, k -> new double[2]);
                        sum[0] += credit;
                        sum[1] += credit * amount;
                    });
                }
                List<String> keys = new ArrayList<>(sums.keySet());
                double[] exact = new double[keys.size()];
                double total = 0;
                for (int i = 0; i < exact.length; i++) {
                    exact[i] = sums.get(keys.get(i))[1];
                    total += exact[i];
                }
                int digits = Rounding.digits(currency);
                List<Money> amounts = Rounding.apportion(exact, Rounding.round(total, digits));
                List<AccountCredit> rows = new ArrayList<>(keys.size());
                for (int i = 0; i < exact.length; i++) {
                    rows.add(new AccountCredit(keys.get(i), sums.get(keys.get(i))[0], amounts.get(i)));
                }
                rows.sort(ACCOUNT_CREDIT_ORDER.comparator());
                out.add(rows);
            }
            return out;
        });
    }

    private static final Paging.Order<AccountCredit> ACCOUNT_CREDIT_ORDER = Paging.byAmountThenKey(AccountCredit::amount,
            AccountCredit::key);

    /**
     * Customers whose first won deal closed in [from, to), by acquisition period and the channel
     * of that deal's first touch (revenue journey, workspace lookback); cumulative invoiced revenue
     * per customer from the cohort period's start through each later period.
     */
    public Uni<CohortLtvReport> cohortLtv(String workspace, Instant from, Instant to, boolean quarters, int periods) {
        String dataAsOf = Instant.now().toString();
        ModelOptions firstTouch = new ModelOptions(ModelName.FIRST_TOUCH, Basis.REVENUE, null, null, 1, null);
        return reports.firstWonDeals(workspace).chain(firstWon -> attribution
                .opportunityCredits(workspace, from, to, Dimension.CHANNEL, firstTouch).chain(credits -> {
                    Map<String, String> channelOf = new HashMap<>();
                    for (OpportunityCredit oc : credits) {
                        oc.creditByKey().forEach((channel, c) -> {
                            if (c > 0.5) {
                                channelOf.put(oc.opportunity().id(), channel);
                            }
                        });
                    }
                    // cohort start -> channel -> accounts
                    Map<LocalDate, Map<String, List<String>>> cohorts = new TreeMap<>();
                    Map<String, LocalDate> cohortOf = new HashMap<>();
                    Map<String, String> accountOfDeal = new HashMap<>();
                    firstWon.forEach((oppId, deal) -> {
                        if (deal.closedAt().isBefore(from) || !deal.closedAt().isBefore(to)) {
                            return;
                        }
                        accountOfDeal.put(oppId, deal.accountId());
                        LocalDate start = periodStart(day(deal.closedAt()), quarters);
                        cohorts.computeIfAbsent(start, k -> new TreeMap<>())
                                .computeIfAbsent(channelOf.getOrDefault(oppId, Dimension.NO_VALUE), k -> new ArrayList<>())
                                .add(oppId);
                    });
                    cohorts.forEach((start, byChannel) -> byChannel.values().forEach(deals -> deals.forEach(
                            d -> cohortOf.put(accountOfDeal.get(d), start))));
                    return reports.revenueOf(workspace, cohortOf.keySet()).chain(revenue -> {
                            // account -> revenue per period index since its cohort start
                            Map<String, double[]> byPeriod = new HashMap<>();
                            for (ReportRepository.RevenueRow r : revenue) {
                                LocalDate start = cohortOf.get(r.accountId());
                                LocalDate d = day(r.occurredAt());
                                if (d.isBefore(start)) {
                                    continue;
                                }
                                int k = periodsBetween(start, d, quarters);
                                if (k <= periods) {
                                    byPeriod.computeIfAbsent(r.accountId(), a -> new double[periods + 1])[k] += r.amount();
                                }
                            }
                            return reports.currency(workspace).chain(currency -> cohortRows(workspace, cohorts, accountOfDeal,
                                            byPeriod, quarters, periods, Rounding.digits(currency))
                                    .map(rows -> new CohortLtvReport(dataAsOf, currency, quarters ? CohortGranularity.QUARTER
                                            : CohortGranularity.MONTH, periods, rows)));
                    });
                }));
    }

    private Uni<List<CohortRow>> cohortRows(String workspace, Map<LocalDate, Map<String, List<String>>> cohorts,
                                            Map<String, String> accountOfDeal, Map<String, double[]> byPeriod,
                                            boolean quarters, int periods, int digits) {
        Uni<List<CohortRow>> rows = Uni.createFrom().item(new ArrayList<>());
        for (Map.Entry<LocalDate, Map<String, List<String>>> cohort : cohorts.entrySet()) {
            LocalDate start = cohort.getKey();
            LocalDate end = quarters ? start.plusMonths(3) : start.plusMonths(1);
            rows = rows.chain(list -> reports.spendBy(workspace, start, end, "channel", Dimension.NO_VALUE).map(spend -> {
                cohort.getValue().forEach((channel, deals) -> {
                    int customers = deals.size();
                    double[] cumulative = new double[periods + 1];
                    for (String deal : deals) {
                        double[] p = byPeriod.getOrDefault(accountOfDeal.get(deal), new double[periods + 1]);
                        for (int k = 0; k <= periods; k++) {
                            cumulative[k] += p[k];
                        }
                    }
                    List<Money> perCustomer = new ArrayList<>();
                    double running = 0;
                    for (int k = 0; k <= periods; k++) {
                        running += cumulative[k];
                        perCustomer.add(Rounding.round(running / customers, digits));
                    }
                    double ltv = running / customers;
                    Double cac = PerformanceTable.costRatio(spend.getOrDefault(channel, 0.0), customers);
                    Double ltvToCac = cac == null || cac == 0 ? null : ltv / cac;
                    list.add(new CohortRow(label(start, quarters), channel, customers, perCustomer, perCustomer.get(periods),
                            spend.containsKey(channel) ? Rounding.ofRatio(cac, digits) : null,
                            spend.containsKey(channel) ? ltvToCac : null));
                });
                return list;
            }));
        }
        return rows;
    }

    /** The period's spend by key of {@code groupBy} (none for content and touch types), in total, and the currency. */
    record Spend(Map<String, Double> byKey, double total, String currency) {
    }

    /** For a report computed on demand: from the index (RollupIndex) once the workspace has rollups, else read for it. */
    private Uni<Spend> spendAndCurrency(String workspace, LocalDate from, LocalDate to, Dimension groupBy) {
        // Spend does not depend on the model: the rollups' data version (which every spend page moves) keys it for a report
        // computed on demand too, once the workspace has rollups. The currency is read as it is now (revenue pages do not
        // move that version).
        int first = (int) from.toEpochDay();
        int end = (int) to.toEpochDay();
        return rollupReports.state(workspace).chain(current -> current == null
                ? spendFromTables(workspace, from, to, groupBy.spendColumn())
                : index.spend(current).chain(spend -> reports.currency(workspace)
                        .map(currency -> new Spend(spend.by(groupBy.spendColumn(), first, end), spend.total(first, end), currency))));
    }

    private Uni<Spend> spendFromTables(String workspace, LocalDate from, LocalDate to, String column) {
        Uni<Map<String, Double>> byKey = column == null ? Uni.createFrom().item(Map.of())
                : reports.spendBy(workspace, from, to, column, Dimension.NO_VALUE);
        return byKey.chain(spend -> reports.spendTotal(workspace, from, to)
                .chain(total -> reports.currency(workspace).map(currency -> new Spend(spend, total, currency))));
    }

    static ModelOptions with(ModelOptions o, Basis basis) {
        return o.withBasis(basis);
    }

    private static Map<String, AttributionRow> byKey(List<AttributionRow> rows, Set<String> keys) {
        Map<String, AttributionRow> out = new HashMap<>();
        for (AttributionRow r : rows) {
            out.put(r.key(), r);
            keys.add(r.key());
        }
        return out;
    }

    static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** The first day not in [.., to): to's day, or the next one when to is not a midnight. */
    static LocalDate endDay(Instant to) {
        LocalDate d = day(to);
        return d.atStartOfDay(ZoneOffset.UTC).toInstant().equals(to) ? d : d.plusDays(1);
    }

    static LocalDate periodStart(LocalDate d, boolean quarters) {
        return quarters ? LocalDate.of(d.getYear(), ((d.getMonthValue() - 1) / 3) * 3 + 1, 1) : d.withDayOfMonth(1);
    }

    static int periodsBetween(LocalDate start, LocalDate d, boolean quarters) {
        int months = (d.getYear() - start.getYear()) * 12 + d.getMonthValue() - start.getMonthValue();
        return quarters ? months / 3 : months;
    }

    static String label(LocalDate start, boolean quarters) {
        return quarters ? start.getYear() + "-Q" + ((start.getMonthValue() - 1) / 3 + 1)
                : String.format("%d-%02d", start.getYear(), start.getMonthValue());
    }

    /**
     * Side-by-side rows of {@code reports} (one per model, as computed): every group of any, largest under the first model
     * first, then by key; the page after {@code after}, its rows made only for it. Each model's report shows its first
     * {@link Paging#MAX_PAGE} rows, made only when asked for.
     */
    public static ModelComparison compare(List<ComputedReport> reports, String field, String after, int first) {
        int n = reports.size();
        Map<String, Integer> numbers = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (ComputedReport report : reports) {
            PerformanceTable table = report.table();
            for (int i = 0; i < table.size(); i++) {
                numbers.computeIfAbsent(table.key(i), k -> {
                    keys.add(k);
                    return keys.size() - 1;
                });
            }
        }
        double[][] credits = new double[n][keys.size()];
        long[][] units = new long[n][keys.size()];
        for (int m = 0; m < n; m++) {
            PerformanceTable table = reports.get(m).table();
            for (int i = 0; i < table.size(); i++) {
                int k = numbers.get(table.key(i));
                credits[m][k] = table.credit(i);
                units[m][k] = table.amountUnits(i);
            }
        }
        int[] digits = reports.stream().mapToInt(r -> r.table().digits()).toArray();
        String[] names = keys.toArray(new String[0]);
        Paging.Page<ComparisonRow> page = Paging.pageByAmount(field, after, first, units[0], digits[0], names, k -> {
            List<Double> credit = new ArrayList<>(n);
            List<Money> amounts = new ArrayList<>(n);
            for (int m = 0; m < n; m++) {
                credit.add(credits[m][k]);
                amounts.add(Money.of(BigDecimal.valueOf(units[m][k], digits[m])));
            }
            return new ComparisonRow(names[k], credit, amounts, null);
        });
        // Made when the answer reads them: a comparison asked for its rows only makes none of them.
        List<PerformanceMetrics> pages = new AbstractList<>() {
            private final PerformanceMetrics[] made = new PerformanceMetrics[n];

            @Override
            public synchronized PerformanceMetrics get(int m) {
                return made[m] != null ? made[m] : (made[m] = reports.get(m).page(field, null, Paging.MAX_PAGE));
            }

            @Override
            public int size() {
                return n;
            }
        };
        return new ModelComparison(reports.stream().map(ComputedReport::model).toList(), pages,
                new ComparisonRowConnection(page.edges(ComparisonRowEdge::new), page.pageInfo(), page.totalCount()));
    }

    public static final Paging.Order<ComparisonRow> COMPARISON_ORDER = Paging.byAmountThenKey(r -> r.amounts().get(0),
            ComparisonRow::key);

    private static double amount(OpportunityCredit oc) {
        return oc.opportunity().amountOrZero();
    }
}
