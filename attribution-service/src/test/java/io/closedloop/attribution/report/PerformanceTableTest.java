package io.closedloop.attribution.report;

import io.closedloop.attribution.report.ReportViews.PerformanceRow;
import io.closedloop.attribution.report.ReportViews.Unattributed;
import io.closedloop.plumbing.graphql.Money;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table's pages and apportionment against the plain ways: every row made, sorted, and paged through. */
class PerformanceTableTest {

    @Test
    void everyPageIsThePageOfAllRowsSortedWhateverTheCursor() {
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = random.nextInt(60);
            String[] keys = new String[n];
            double[] exact = new double[n * PerformanceTable.FIGURES];
            double[] medians = new double[n];
            for (int i = 0; i < n; i++) {
                keys[i] = "k" + random.nextInt(1000) + "-" + i;
                for (int f = 0; f < PerformanceTable.FIGURES; f++) {
                    // many equal amounts (0, thirds): ties in amount are ordered by key
                    double v = switch (random.nextInt(3)) {
                        case 0 -> 0;
                        case 1 -> 100.0 / 3 * random.nextInt(3);
                        default -> random.nextDouble() * 1000;
                    };
                    exact[i * PerformanceTable.FIGURES + f] = v;
                }
                medians[i] = random.nextBoolean() ? Double.NaN : random.nextInt(90);
            }
            PerformanceTable.PageFigures figures = new PerformanceTable.PageFigures() {
                @Override
                public double newCustomers(int group) {
                    return group / 2.0;
                }

                @Override
                public Double medianDays(int group) {
                    return Double.isNaN(medians[group]) ? null : medians[group];
                }
            };
            PerformanceTable table = new PerformanceTable(keys, exact, figures, totals(), 2);
            List<PerformanceRow> all = new ArrayList<>(table.rows());
            List<PerformanceRow> sorted = new ArrayList<>(all);
            sorted.sort(ComputedReport.ORDER.comparator());
            assertEquals(sorted, all);
            assertEquals(n, all.size());
            // the amounts add up to the total exactly
            BigDecimal sum = all.stream().map(r -> r.amount().value()).reduce(new BigDecimal("0.00"), BigDecimal::add);
            assertEquals(n == 0 ? new BigDecimal("0.00") : table.totals().amount().value(), sum);
            List<String> cursors = new ArrayList<>();
            cursors.add(null);
            for (PerformanceRow row : sorted) {
                cursors.add(Paging.encode(Arrays.asList(row.amount().toString(), row.key())));
            }
            // cursors between rows and at amounts no row has
            cursors.add(Paging.encode(Arrays.asList("33.333", "k5")));
            cursors.add(Paging.encode(Arrays.asList("0", "zz")));
            cursors.add(Paging.encode(Arrays.asList("1e30", "a")));
            cursors.add(Paging.encode(Arrays.asList("-1", "a")));
            cursors.add(Paging.encode(Arrays.asList("-0.5", "a")));
            cursors.add(Paging.encode(Arrays.asList("0", null)));
            // exponents no amount has: compared, never written out digit by digit
            cursors.add(Paging.encode(Arrays.asList("1E+300000000", "a")));
            cursors.add(Paging.encode(Arrays.asList("-1E+300000000", "a")));
            cursors.add(Paging.encode(Arrays.asList("1E-300000000", "a")));
            for (String after : cursors) {
                int first = 1 + random.nextInt(10);
                long started = System.nanoTime();
                Paging.Page<PerformanceRow> expected = Paging.page("f", sorted, after, first, ComputedReport.ORDER);
                Paging.Page<PerformanceRow> actual = table.page("f", after, first);
                assertEquals(expected.items(), actual.items(), "after " + after);
                assertEquals(expected.cursors(), actual.cursors());
                assertEquals(expected.pageInfo(), actual.pageInfo());
                assertEquals(expected.totalCount(), actual.totalCount());
                assertTrue(System.nanoTime() - started < 2_000_000_000L, "a page after " + after + " took seconds");
            }
        }
    }

    @Test
    void theTotalsOfTheRowsDoNotDependOnTheirOrder() {
        Random random = new Random(11);
        int n = 20_000;
        String[] keys = new String[n];
        double[] exact = new double[n * PerformanceTable.FIGURES];
        for (int i = 0; i < n; i++) {
            keys[i] = "k" + i;
            for (int f = 0; f < PerformanceTable.FIGURES; f++) {
                exact[i * PerformanceTable.FIGURES + f] = random.nextDouble() * Math.pow(10, random.nextInt(7)) / 3;
            }
        }
        PerformanceRow first = table(keys, exact).totals();
        boolean plainSumsDiffer = false;
        for (int shuffle = 0; shuffle < 20; shuffle++) {
            double plainBefore = plainSum(exact, PerformanceTable.AMOUNT);
            shuffle(keys, exact, random);
            PerformanceRow totals = table(keys, exact).totals();
            assertEquals(first.credit(), totals.credit(), "after shuffle " + shuffle);
            assertEquals(first.amount(), totals.amount());
            assertEquals(first.pipelineOpportunities(), totals.pipelineOpportunities());
            assertEquals(first.pipeline(), totals.pipeline());
            plainSumsDiffer |= plainBefore != plainSum(exact, PerformanceTable.AMOUNT);
        }
        // the plain sum of the same rows does depend on their order: what this guards against
        assertTrue(plainSumsDiffer);
    }

    private static PerformanceTable table(String[] keys, double[] exact) {
        PerformanceTable.PageFigures none = new PerformanceTable.PageFigures() {
            @Override
            public double newCustomers(int group) {
                return 0;
            }

            @Override
            public Double medianDays(int group) {
                return null;
            }
        };
        return new PerformanceTable(keys, exact, none, totals(), 2);
    }

    private static PerformanceTable.Totals totals() {
        return new PerformanceTable.Totals(0, 0, 0, 0, 0, null, new Unattributed(0, new Money("0.00")));
    }

    private static double plainSum(double[] exact, int figure) {
        double sum = 0;
        for (int i = figure; i < exact.length; i += PerformanceTable.FIGURES) {
            sum += exact[i];
        }
        return sum;
    }

    /** Shuffles the rows (keys with their figures). */
    private static void shuffle(String[] keys, double[] exact, Random random) {
        int f = PerformanceTable.FIGURES;
        double[] row = new double[f];
        for (int i = keys.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String key = keys[i];
            keys[i] = keys[j];
            keys[j] = key;
            System.arraycopy(exact, i * f, row, 0, f);
            System.arraycopy(exact, j * f, exact, i * f, f);
            System.arraycopy(row, 0, exact, j * f, f);
        }
    }

    @Test
    void apportionedUnitsAreTheLargestRemaindersWithEqualOnesToTheEarlierKey() {
        Random random = new Random(9);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + random.nextInt(40);
            double[] exact = new double[n];
            String[] keys = new String[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                exact[i] = random.nextBoolean() ? 100.0 / 3 * (1 + random.nextInt(2)) : random.nextInt(4) * 0.005 + random.nextInt(100);
                keys[i] = Integer.toString(random.nextInt(1_000_000), 36);
                sum += exact[i];
            }
            long target = Math.round(sum * 100);
            assertEquals(Arrays.toString(byKeyOrder(exact, target, keys)),
                    Arrays.toString(Rounding.apportionUnits(exact, target, 2, keys)), Arrays.toString(exact));
        }
    }

    /** The rule as written before: sorted by key, then a stable sort by remainder, largest first. */
    private static long[] byKeyOrder(double[] exact, long target, String[] keys) {
        Integer[] byKey = new Integer[exact.length];
        Arrays.setAll(byKey, i -> i);
        Arrays.sort(byKey, Comparator.comparing((Integer i) -> keys[i]));
        long[] units = new long[exact.length];
        double[] remainders = new double[exact.length];
        long sum = 0;
        for (int i = 0; i < exact.length; i++) {
            double u = exact[i] * 100;
            units[i] = (long) Math.floor(u + 1e-6);
            remainders[i] = u - units[i];
            sum += units[i];
        }
        Integer[] order = byKey.clone();
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> remainders[i]).reversed());
        for (int k = 0; k < target - sum; k++) {
            units[order[k]]++;
        }
        return units;
    }
}
