package io.closedloop.attribution.service;

import io.closedloop.attribution.report.PerformanceTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RowTotalsTest {

    @Test
    void theTotalsOfRowsDoNotDependOnTheirOrder() {
        Random random = new Random(11);
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            double[] f = new double[PerformanceTable.FIGURES];
            for (int c = 0; c < f.length; c++) {
                f[c] = random.nextDouble() * Math.pow(10, random.nextInt(7)) / 3;
            }
            rows.add(f);
        }
        double[] first = totals(rows);
        boolean plainDiffers = false;
        for (int shuffle = 0; shuffle < 20; shuffle++) {
            double plain = plain(rows);
            Collections.shuffle(rows, random);
            for (int c : new int[] {0, 1, 4, 5}) {
                assertEquals(first[c], totals(rows)[c], "figure " + c + " after shuffle " + shuffle);
            }
            plainDiffers |= plain != plain(rows);
        }
        // the plain sum of the same rows does depend on their order: what this guards against
        assertNotEquals(false, plainDiffers);
    }

    private static double[] totals(List<double[]> rows) {
        PerformanceReports.RowTotals totals = new PerformanceReports.RowTotals();
        rows.forEach(f -> totals.add(f, 0));
        double[] out = new double[PerformanceTable.TOTAL_FIGURES];
        totals.into(out);
        return out;
    }

    private static double plain(List<double[]> rows) {
        double sum = 0;
        for (double[] f : rows) {
            sum += f[1];
        }
        return sum;
    }
}
