package io.closedloop.attribution.graphql;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.attribution.service.PerformanceReports;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The inputs every report takes, in the public graph's shapes (docs/api/gateway.graphql), and their checks: a period of
 * whole days, both ends inclusive, and a model with only its own parameters. Errors name the operation and the field
 * ({@code performance.model.halfLifeDays: ...}). Pure.
 */
public final class ReportInputs {

    public static final int MAX_LOOKBACK_DAYS = 3650;
    /** Custom weights must sum to 1 within this tolerance (DESIGN §4). */
    public static final double WEIGHT_TOLERANCE = 1e-6;

    private ReportInputs() {
    }

    @Input("PeriodInput")
    @Description("A date range, both ends inclusive.")
    public record PeriodInput(
            @NonNull @Description("First day, YYYY-MM-DD.") String from,
            @NonNull @Description("Last day, YYYY-MM-DD; not before 'from'.") String to) {
    }

    @Input("ModelInput")
    @Description("An attribution model of DESIGN §4 and its parameters; absent parameters take the workspace defaults.")
    public record ModelInput(
            @NonNull @Description("The model.") ModelName name,
            @Description("TIME_DECAY only: half-life in days, greater than 0.") Double halfLifeDays,
            @Description("Touches up to this many days before the conversion count (1..3650).") Integer lookbackDays,
            @Description("CUSTOM only (and required there): fractions summing to 1.") WeightsInput weights,
            @Description("MARKOV only: chain order 1..4.") Integer markovOrder,
            @Description("Whose touches make up an opportunity's journey; absent: the workspace's setting. CONTACT_ROLES is"
                    + " computed on demand (the rollups hold ACCOUNT journeys).") JourneyScope journeyScope) {
    }

    @Input("WeightsInput")
    @Description("Custom-model fractions for first touch, lead creation, opportunity creation, closed-won and the middle.")
    public record WeightsInput(
            @Description("First touch.") double ft,
            @Description("Lead creation touch.") double lc,
            @Description("Opportunity creation touch.") double oc,
            @Description("Closed-won touch.") double cw,
            @Description("Shared by the other touches.") double middle) {
    }

    @Input("IntervalInput")
    @Description("Sampling intervals of a report's figures by a bootstrap over the period's opportunities (docs/reports.md"
            + " 'Intervals'); rule-based and custom models.")
    public record IntervalInput(
            @DefaultValue("0.9") @Description("Coverage, strictly between 0 and 1 (0.9: the 5 % and 95 % quantiles).") Double level,
            @DefaultValue("1000") @Description("Resamples, 100.." + MAX_RESAMPLES + "; resamples x rows of the page at most "
                    + MAX_RESAMPLED_CELLS + ".") Integer resamples,
            @DefaultValue("1") @Description("Seed of the draws: the same question and seed give the same bounds.") Integer seed) {
    }

    /** Most resamples an interval may ask. */
    public static final int MAX_RESAMPLES = 10_000;
    /** Resamples of MARKOV and SHAPLEY, each a refit of the model. */
    public static final int MAX_REFITS = 2_000;
    /** Most resamples x rows one report's intervals may hold (the resampled sums are kept per row and resample). */
    public static final int MAX_RESAMPLED_CELLS = 250_000;

    /** {@code interval} checked, for a page of {@code rows} rows (the totals too) under {@code model}; null when not asked. */
    public static PerformanceReports.IntervalOptions interval(String operation, IntervalInput interval, ModelName model, int rows) {
        if (interval == null) {
            return null;
        }
        double level = interval.level() == null ? 0.9 : interval.level();
        if (!(level > 0 && level < 1)) {
            throw bad(operation, "interval.level", "must be strictly between 0 and 1, was " + level);
        }
        int resamples = interval.resamples() == null ? 1000 : interval.resamples();
        if (resamples < 100 || resamples > MAX_RESAMPLES) {
            throw bad(operation, "interval.resamples", "must be between 100 and " + MAX_RESAMPLES + ", was " + resamples);
        }
        if (!model.isRuleBased() && resamples > MAX_REFITS) {
            throw bad(operation, "interval.resamples", "must be at most " + MAX_REFITS + " under " + model + " (each resample"
                    + " refits the model), was " + resamples);
        }
        if ((long) resamples * (rows + 1) > MAX_RESAMPLED_CELLS) {
            throw bad(operation, "interval.resamples", resamples + " resamples of " + rows + " rows and the totals exceed "
                    + MAX_RESAMPLED_CELLS + " resampled rows; ask fewer rows (first) or fewer resamples");
        }
        return new PerformanceReports.IntervalOptions(level, resamples, interval.seed() == null ? 1 : interval.seed());
    }

    /** A checked period: whole days from {@code from} to {@code to}, both inclusive. */
    public record Days(LocalDate from, LocalDate to) {
    }

    /** {@code period} checked: both dates YYYY-MM-DD, {@code to} not before {@code from}. */
    public static Days days(String operation, PeriodInput period) {
        if (period == null) {
            throw bad(operation, "period", "is required");
        }
        LocalDate from = date(operation, "period.from", period.from());
        LocalDate to = date(operation, "period.to", period.to());
        if (to.isBefore(from)) {
            throw bad(operation, "period", "is reversed: 'to' (" + to + ") is before 'from' (" + from + ")");
        }
        return new Days(from, to);
    }

    /** {@code model} checked into the options the reports take, with {@code basis} (PIPELINE when absent). */
    public static ModelOptions options(String operation, String field, ModelInput model, Basis basis) {
        if (model == null || model.name() == null) {
            throw bad(operation, field + ".name", "is required");
        }
        ModelName name = model.name();
        Double halfLife = model.halfLifeDays();
        if (halfLife != null && !(halfLife > 0 && Double.isFinite(halfLife))) {
            throw bad(operation, field + ".halfLifeDays", "must be greater than 0, was " + halfLife);
        }
        if (halfLife != null && name != ModelName.TIME_DECAY) {
            throw bad(operation, field + ".halfLifeDays", "applies only to TIME_DECAY, not " + name);
        }
        Integer lookback = model.lookbackDays();
        if (lookback != null && (lookback < 1 || lookback > MAX_LOOKBACK_DAYS)) {
            throw bad(operation, field + ".lookbackDays", "must be between 1 and " + MAX_LOOKBACK_DAYS + ", was " + lookback);
        }
        CustomModel custom = null;
        if (name == ModelName.CUSTOM) {
            if (model.weights() == null) {
                throw bad(operation, field + ".weights", "is required for CUSTOM");
            }
            custom = custom(operation, field + ".weights", model.weights());
        } else if (model.weights() != null) {
            throw bad(operation, field + ".weights", "applies only to CUSTOM, not " + name);
        }
        Integer order = model.markovOrder();
        if (order != null) {
            if (name != ModelName.MARKOV) {
                throw bad(operation, field + ".markovOrder", "applies only to MARKOV, not " + name);
            }
            if (order < 1 || order > MarkovChainModel.MAX_ORDER) {
                throw bad(operation, field + ".markovOrder", "must be between 1 and " + MarkovChainModel.MAX_ORDER + ", was " + order);
            }
        }
        return new ModelOptions(name, basis == null ? Basis.PIPELINE : basis, halfLife, lookback, order == null ? 1 : order, custom,
                model.journeyScope());
    }

    /** {@code model} checked into the options of a journey: {@link #options}, and a rule-based model. */
    public static ModelOptions journeyOptions(String operation, ModelInput model, Basis basis) {
        ModelOptions options = options(operation, "model", model, basis);
        if (!options.model().isRuleBased()) {
            throw bad(operation, "model.name", options.model() + " is data-driven and learns from a population;"
                    + " ask performance for a period instead");
        }
        return options;
    }

    private static CustomModel custom(String operation, String field, WeightsInput w) {
        double[] values = {w.ft(), w.lc(), w.oc(), w.cw(), w.middle()};
        String[] names = {"ft", "lc", "oc", "cw", "middle"};
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0) || Double.isInfinite(values[i])) {
                throw bad(operation, field + "." + names[i], "must be a non-negative number, was " + values[i]);
            }
            sum += values[i];
        }
        if (Math.abs(sum - 1.0) > WEIGHT_TOLERANCE) {
            throw bad(operation, field, "must sum to 1 (within 1e-6), sum was " + sum);
        }
        try {
            return new CustomModel(w.ft(), w.lc(), w.oc(), w.cw(), w.middle());
        } catch (IllegalArgumentException e) {
            throw bad(operation, field, e.getMessage());
        }
    }

    private static LocalDate date(String operation, String field, String value) {
        if (value == null || value.isBlank()) {
            throw bad(operation, field, "is required (YYYY-MM-DD)");
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw bad(operation, field, "is not a date (YYYY-MM-DD): '" + value + "'");
        }
    }

    static IllegalArgumentException bad(String operation, String field, String message) {
        return new IllegalArgumentException(operation + "." + field + ": " + message);
    }
}
