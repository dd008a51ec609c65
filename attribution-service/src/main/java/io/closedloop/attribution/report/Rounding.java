package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.Money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How attribution rounds money (README "Money"): sums of whole amounts are exact; an amount shared out by credit (a
 * fraction such as 1/3 or a time-decay weight) is rounded once, where the report is built, and {@link #apportion} rounds a
 * report's rows so that they add up to its total exactly.
 */
public final class Rounding {

    private Rounding() {
    }

    public static Money of(BigDecimal value, int digits) {
        return Money.of(value.setScale(digits, RoundingMode.HALF_EVEN));
    }

    /** {@code exact} rounded half-even to {@code digits} decimals. */
    public static Money round(double exact, int digits) {
        if (!Double.isFinite(exact)) {
            throw new IllegalStateException("an amount is " + exact);
        }
        return of(new BigDecimal(exact), digits);
    }

    /** A cost or average (a money amount divided by a count): null when there is nothing to divide by. */
    public static Money ofRatio(Double exact, int digits) {
        return exact == null ? null : round(exact, digits);
    }

    /** Decimal places of a currency's minor unit (as every service writes money). */
    public static int digits(String currency) {
        return Money.minorDigits(currency);
    }

    /**
     * Rounds {@code exact} amounts to minor units so that they sum to {@code total} (already rounded, its scale the minor
     * unit) by the largest remainder method: each is rounded down, then the units still missing go one each to the
     * amounts with the largest remainders (ties to the earlier one). Each result is within one minor unit of its exact
     * amount. When the exact amounts do not sum to the total within half a unit (plus the binary sums' residue), they
     * are rounded one by one instead.
     */
    public static List<Money> apportion(double[] exact, Money total) {
        int digits = total.value().scale();
        long[] units = apportionUnits(exact, total.value().unscaledValue().longValueExact(), digits, null);
        List<Money> out = new ArrayList<>(exact.length);
        for (long u : units) {
            out.add(Money.of(BigDecimal.valueOf(u, digits)));
        }
        return out;
    }

    /**
     * {@link #apportion} in minor units ({@code target} the total's), the earlier of equal remainders being the one whose
     * key comes first ({@code keys}; null: the one first in {@code exact}). Linear in the amounts but for ties (a report of
     * 20,000 keys is apportioned without sorting them).
     */
    public static long[] apportionUnits(double[] exact, long target, int digits, String[] keys) {
        double scale = Math.pow(10, digits);
        long[] units = new long[exact.length];
        double[] remainders = new double[exact.length];
        long sum = 0;
        double exactSum = 0;
        for (int i = 0; i < exact.length; i++) {
            if (!Double.isFinite(exact[i])) {
                throw new IllegalStateException("an amount to apportion is " + exact[i]);
            }
            double u = exact[i] * scale;
            // A sum that should be a whole number of units can land a hair below it (1099999.9999999998).
            units[i] = (long) Math.floor(u + 1e-6);
            remainders[i] = u - units[i];
            sum += units[i];
            exactSum += u;
        }
        long missing = target - sum;
        if (Math.abs(exactSum - target) > 0.5 + exact.length * 1e-6 || missing < 0 || missing > exact.length) {
            for (int i = 0; i < exact.length; i++) {
                units[i] = new BigDecimal(exact[i]).setScale(digits, RoundingMode.HALF_EVEN).unscaledValue().longValueExact();
            }
            return units;
        }
        if (missing == 0) {
            return units;
        }
        // The missing-th largest remainder: every larger one gets a unit, then the equal ones in order until none is missing.
        double threshold = Selection.select(remainders.clone(), 0, exact.length - 1, exact.length - (int) missing);
        List<Integer> ties = new ArrayList<>();
        for (int i = 0; i < exact.length; i++) {
            if (remainders[i] > threshold) {
                units[i]++;
                missing--;
            } else if (remainders[i] == threshold) {
                ties.add(i);
            }
        }
        if (keys != null) {
            ties.sort(Comparator.comparing((Integer i) -> keys[i]));
        }
        for (int t = 0; t < missing; t++) {
            units[ties.get(t)]++;
        }
        return units;
    }
}
