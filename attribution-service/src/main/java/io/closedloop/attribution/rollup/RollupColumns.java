package io.closedloop.attribution.rollup;


import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.ModelName;

import java.util.Arrays;

/**
 * What a report sums from the arrays of credit_rollup: one standard model's element, or the
 * custom model's components (CreditRollup) weighted by the custom weights. Built only from a
 * model and validated finite weights, so the SQL it writes carries numbers, never caller text.
 *
 * <p>Custom weights w (FT, LC, OC, CW, middle; W their sum, N the milestones' sum) give a key
 * (P + M) / W + Z / N, where P = Σ w_r × the key's milestone r in journeys with middle touches,
 * M = w_middle × the key's middle share, Z = Σ w_r × the key's milestone r in journeys without
 * one (their middle fraction goes to the milestones pro rata, the full-path rules). The key's
 * credit is &gt; 0 exactly where it has a touch when every weight is &gt; 0, so opportunity counts
 * and credited keys are LINEAR's; custom weights with a 0 are computed on demand.
 */
public final class RollupColumns {

    private final int model;
    private final double[] coefficients;

    private RollupColumns(int model, double[] coefficients) {
        this.model = model;
        this.coefficients = coefficients;
    }

    /** The columns answering this model from the rollups, or null when they cannot. */
    public static RollupColumns of(ModelName name, CustomModel custom) {
        if (name.isStandard()) {
            return new RollupColumns(CreditRollup.MODELS.indexOf(name), null);
        }
        if (name != ModelName.CUSTOM || custom == null) {
            return null;
        }
        double[] w = custom.weights();
        double total = 0;
        double milestones = 0;
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] > 0)) {
                return null;
            }
            total += w[i];
            milestones += i < 4 ? w[i] : 0;
        }
        double[] c = new double[CreditRollup.COMPONENTS];
        for (int r = 0; r < 4; r++) {
            c[r] = w[r] / total;
            c[5 + r] = w[r] / milestones;
        }
        c[4] = w[4] / total;
        return new RollupColumns(CreditRollup.LINEAR, c);
    }

    /** The element (0-based in CreditRollup.MODELS) whose opportunity counts, conversion counts and deal masks apply. */
    public int model() {
        return model;
    }

    /**
     * SQL summing {@code array} (credit or amount) of the rows in scope for a standard model (custom weights are
     * weighed in Java from the components' sums: {@link #weigh}).
     */
    public String sum(String array) {
        if (coefficients != null) {
            throw new IllegalStateException("custom weights are weighed from the components' sums, not summed in SQL");
        }
        return "sum(" + array + "[" + (model + 1) + "])";
    }

    /** True for custom weights: their sums are weighed in Java from the components' sums (one read for every weight vector). */
    public boolean weighsComponents() {
        return coefficients != null;
    }

    /**
     * The sums these custom weights give a group, from its components' sums: Σ coefficient × component over the custom
     * components; an OPPORTUNITIES row (the conversion counts, the same in every model's element) keeps LINEAR's element.
     */
    public RollupSum weigh(ComponentSums group) {
        boolean counts = RollupRow.OPPORTUNITIES.equals(group.dimension());
        return new RollupSum(group.basis(), group.dimension(), group.key(),
                counts ? group.linearCredit() : weigh(group.credit()), counts ? group.linearAmount() : weigh(group.amount()),
                group.opportunities());
    }

    private double weigh(double[] components) {
        double total = 0;
        for (int c = 0; c < coefficients.length; c++) {
            total += components[c] * coefficients[c];
        }
        return total;
    }

    /**
     * The elements of credit_rollup's arrays a period index (DaySums) of these columns holds, as SQL: a standard model's
     * credit, amount and opportunity count, and LINEAR's count (the deals whose journey has the key); for custom weights
     * every component's credit and amount and LINEAR's credit, amount and count, which every weight vector weighs.
     */
    public String indexSelect() {
        int linear = CreditRollup.LINEAR + 1;
        if (coefficients == null) {
            int m = model + 1;
            return "credit[" + m + "], amount[" + m + "], opportunities[" + m + "], opportunities[" + linear + "]";
        }
        StringBuilder sql = new StringBuilder();
        for (String array : new String[] {"credit", "amount"}) {
            for (int c = 0; c < CreditRollup.COMPONENTS; c++) {
                sql.append(array).append('[').append(CreditRollup.MODELS.size() + c + 1).append("], ");
            }
        }
        return sql.append("credit[").append(linear).append("], amount[").append(linear).append("], opportunities[")
                .append(linear).append(']').toString();
    }

    /** The values per cell {@link #indexSelect} reads. */
    public int indexWidth() {
        return coefficients == null ? 4 : 2 * CreditRollup.COMPONENTS + 3;
    }

    /** Names the index {@link #indexSelect} reads: one per standard model, one for every custom weight vector. */
    public String indexName() {
        return coefficients == null ? CreditRollup.MODELS.get(model).name() : "COMPONENTS";
    }

    /** Every index a full recompute writes (RollupSeries): one per standard model, and the custom components'. */
    public static java.util.List<RollupColumns> indexes() {
        java.util.List<RollupColumns> all = new java.util.ArrayList<>();
        for (int m = 0; m < CreditRollup.MODELS.size(); m++) {
            all.add(new RollupColumns(m, null));
        }
        all.add(of(ModelName.CUSTOM, new CustomModel(0.2, 0.2, 0.2, 0.2, 0.2)));
        return all;
    }

    /** A recompute's entry as {@link #indexSelect} reads a row: into {@code out[0 .. indexWidth)}. */
    void cell(RollupSums sums, int entry, double[] out) {
        int linear = CreditRollup.LINEAR;
        if (coefficients == null) {
            out[0] = sums.credit(entry, model);
            out[1] = sums.amount(entry, model);
            out[2] = sums.opportunities(entry, model);
            out[3] = sums.opportunities(entry, linear);
            return;
        }
        int n = CreditRollup.COMPONENTS;
        int models = CreditRollup.MODELS.size();
        for (int c = 0; c < n; c++) {
            out[c] = sums.credit(entry, models + c);
            out[n + c] = sums.amount(entry, models + c);
        }
        out[2 * n] = sums.credit(entry, linear);
        out[2 * n + 1] = sums.amount(entry, linear);
        out[2 * n + 2] = sums.opportunities(entry, linear);
    }

    /** A report's group from the index's sums {@code v}: credit, amount, and the deals the model credits the key in. */
    public RollupSum reportSum(String basis, String dimension, String key, double[] v) {
        return coefficients == null ? new RollupSum(basis, dimension, key, v[0], v[1], v[2])
                : weigh(components(basis, dimension, key, v));
    }

    /** A won-deal group from the index's sums {@code v}: credit, amount, and the deals whose journey has the key. */
    public RollupSum wonSum(String basis, String dimension, String key, double[] v) {
        return coefficients == null ? new RollupSum(basis, dimension, key, v[0], v[1], v[3])
                : weigh(components(basis, dimension, key, v));
    }

    /** Whether some journey of the sums {@code v} has the key (LINEAR's count): a key every journey left is no row. */
    public boolean present(double[] v) {
        return present(v, 0);
    }

    /** {@link #present} of the index sums at {@code v[at ..]} (a period's sums of every key side by side). */
    public boolean present(double[] v, int at) {
        return Math.round(journeys(v, at)) > 0;
    }

    /** The credit of the index sums at {@code v[at ..]} under these columns (custom weights weighed). */
    public double credit(double[] v, int at) {
        return coefficients == null ? v[at] : weigh(v, at);
    }

    /** The attributed amount of the index sums at {@code v[at ..]} under these columns (custom weights weighed). */
    public double amount(double[] v, int at) {
        return coefficients == null ? v[at + 1] : weigh(v, at + CreditRollup.COMPONENTS);
    }

    /** The deals the model credits the key in, of the index sums at {@code v[at ..]} (a report row's opportunities). */
    public double credited(double[] v, int at) {
        return coefficients == null ? v[at + 2] : v[at + 2 * CreditRollup.COMPONENTS + 2];
    }

    /** The deals whose journey has the key (LINEAR's count), of the index sums at {@code v[at ..]}. */
    public double journeys(double[] v, int at) {
        return coefficients == null ? v[at + 3] : v[at + 2 * CreditRollup.COMPONENTS + 2];
    }

    private double weigh(double[] v, int at) {
        double total = 0;
        for (int c = 0; c < coefficients.length; c++) {
            total += v[at + c] * coefficients[c];
        }
        return total;
    }

    private static ComponentSums components(String basis, String dimension, String key, double[] v) {
        int n = CreditRollup.COMPONENTS;
        return new ComponentSums(basis, dimension, key, Arrays.copyOfRange(v, 0, n), Arrays.copyOfRange(v, n, 2 * n),
                v[2 * n], v[2 * n + 1], v[2 * n + 2]);
    }

    /** Identifies the answer in a cache key. */
    @Override
    public String toString() {
        return coefficients == null ? CreditRollup.MODELS.get(model).name() : "CUSTOM" + Arrays.toString(coefficients);
    }
}
