package io.closedloop.gateway.reportargs;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Checks report arguments at the gateway, before any subgraph is called, so a bad argument costs
 * no subgraph round trip and its error names the operation and field (DESIGN §5, §6). Enum arguments (model names,
 * basis, dimensions, scopes) are checked by GraphQL itself.
 * Pure: no Quarkus, no I/O. Every method throws {@link IllegalArgumentException} with
 * "operation.field: message".
 */
public final class ReportArguments {

    /** Most rows one report page may return; larger pages are refused, not truncated silently. */
    public static final int MAX_PAGE_SIZE = 1000;
    public static final int DEFAULT_PAGE_SIZE = 100;
    /** Most models one modelComparison may ask for: each costs one subgraph call. */
    public static final int MAX_MODELS_COMPARED = 6;
    public static final int MAX_LOOKBACK_DAYS = 3650;
    /** Custom weights must sum to 1 within this tolerance (DESIGN §4). */
    public static final double WEIGHT_TOLERANCE = 1e-6;

    private ReportArguments() {
    }

    /** A checked period, both ends inclusive. */
    public record Period(LocalDate from, LocalDate to) {
    }

    /** Custom-model fractions for FT, LC, OC, CW and the middle. */
    public record Weights(double ft, double lc, double oc, double cw, double middle) {
    }

    /** A checked model with its parameters; absent parameters are null (the subgraph's defaults apply). */
    public record Model(String name, Double halfLifeDays, Integer lookbackDays, Weights weights, Integer markovOrder) {
    }

    public static Period period(String operation, String from, String to) {
        LocalDate start = date(operation, "period.from", from);
        LocalDate end = date(operation, "period.to", to);
        if (end.isBefore(start)) {
            throw bad(operation, "period", "is reversed: 'to' (" + end + ") is before 'from' (" + start + ")");
        }
        return new Period(start, end);
    }

    /**
     * The model's parameters checked against its name, a value of the schema's ModelName enum (GraphQL validation has
     * refused any other).
     */
    public static Model model(String operation, String field, String name, Double halfLifeDays, Integer lookbackDays,
                              Weights weights, Integer markovOrder) {
        if (halfLifeDays != null && !(halfLifeDays > 0) ) {
            throw bad(operation, field + ".halfLifeDays", "must be greater than 0, was " + halfLifeDays);
        }
        if (halfLifeDays != null && !"TIME_DECAY".equals(name)) {
            throw bad(operation, field + ".halfLifeDays", "applies only to TIME_DECAY, not " + name);
        }
        if (lookbackDays != null && (lookbackDays < 1 || lookbackDays > MAX_LOOKBACK_DAYS)) {
            throw bad(operation, field + ".lookbackDays", "must be between 1 and " + MAX_LOOKBACK_DAYS + ", was " + lookbackDays);
        }
        if ("CUSTOM".equals(name)) {
            if (weights == null) {
                throw bad(operation, field + ".weights", "is required for CUSTOM");
            }
            checkWeights(operation, field + ".weights", weights);
        } else if (weights != null) {
            throw bad(operation, field + ".weights", "applies only to CUSTOM, not " + name);
        }
        if (markovOrder != null) {
            if (!"MARKOV".equals(name)) {
                throw bad(operation, field + ".markovOrder", "applies only to MARKOV, not " + name);
            }
            if (markovOrder < 1 || markovOrder > 4) {
                throw bad(operation, field + ".markovOrder", "must be between 1 and 4, was " + markovOrder);
            }
        }
        return new Model(name, halfLifeDays, lookbackDays, weights, markovOrder);
    }

    /** The page size to use: the default when absent, refused when above the cap or below 1. */
    public static int pageSize(String operation, Integer first) {
        if (first == null) {
            return DEFAULT_PAGE_SIZE;
        }
        if (first < 1 || first > MAX_PAGE_SIZE) {
            throw bad(operation, "first", "must be between 1 and " + MAX_PAGE_SIZE + ", was " + first);
        }
        return first;
    }

    public static void modelCount(String operation, int count) {
        if (count < 1 || count > MAX_MODELS_COMPARED) {
            throw bad(operation, "models", "give between 1 and " + MAX_MODELS_COMPARED + " models, was " + count);
        }
    }

    public static String requiredId(String operation, String field, String id) {
        if (id == null || id.isBlank()) {
            throw bad(operation, field, "is required");
        }
        if (id.length() > 200) {
            throw bad(operation, field, "is longer than 200 characters");
        }
        return id;
    }

    private static void checkWeights(String operation, String field, Weights w) {
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

    private static IllegalArgumentException bad(String operation, String field, String message) {
        return new IllegalArgumentException(operation + "." + field + ": " + message);
    }
}
