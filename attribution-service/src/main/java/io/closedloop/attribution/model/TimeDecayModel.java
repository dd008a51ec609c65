package io.closedloop.attribution.model;

/**
 * Time decay: touch i weighs 2^(−Δ_i/h), Δ_i = days (fractional, a day being 86,400 s) from the
 * touch to the conversion point, h the half-life in days (h > 0, default 7); weights are
 * normalized over the journey.
 */
public final class TimeDecayModel implements RuleBasedModel {

    public static final double DEFAULT_HALF_LIFE_DAYS = 7;
    private static final double MILLIS_PER_DAY = 86_400_000.0;

    private final double halfLifeDays;

    public TimeDecayModel() {
        this(DEFAULT_HALF_LIFE_DAYS);
    }

    /** @throws IllegalArgumentException unless {@code halfLifeDays} is finite and > 0 */
    public TimeDecayModel(double halfLifeDays) {
        if (!(halfLifeDays > 0) || Double.isInfinite(halfLifeDays)) {
            throw new IllegalArgumentException("halfLifeDays must be a finite number > 0, got " + halfLifeDays);
        }
        this.halfLifeDays = halfLifeDays;
    }

    public double halfLifeDays() {
        return halfLifeDays;
    }

    @Override
    public double[] credit(Journey journey) {
        int n = journey.size();
        double[] credit = new double[n];
        if (n == 0) {
            return credit;
        }
        // Measure Δ from the latest touch instead of the conversion point: the common factor
        // 2^(−Δ_n/h) cancels in the normalization, and the latest touch then weighs exactly 1,
        // so a short half-life over a long lookback cannot underflow every weight to 0.
        long latest = journey.touch(n - 1).epochMillis();
        double total = 0;
        for (int i = 0; i < n; i++) {
            double days = (latest - journey.touch(i).epochMillis()) / MILLIS_PER_DAY;
            credit[i] = Math.pow(2.0, -days / halfLifeDays);
            total += credit[i];
        }
        for (int i = 0; i < n; i++) {
            credit[i] /= total;
        }
        return credit;
    }
}
