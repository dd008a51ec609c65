package io.closedloop.launcher.dataset;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.List;

/**
 * Issue 7's reconciliation of a loaded {@link Dataset}, as the benchmarks check it through the public graph: under every
 * model, the revenue credited across channels adds up to the report's won revenue in scope to the cent, and that won
 * revenue is the same for every model (the deals won in the period with a journey do not depend on the model).
 */
public final class Reconciliation {

    /** Answers one GraphQL query (the whole answer, errors included). */
    @FunctionalInterface
    public interface Ask {
        JsonNode graphql(String query) throws Exception;
    }

    /** The 13 models: the 10 rule-based ones, CUSTOM, MARKOV and SHAPLEY. */
    public static final List<String> MODELS = List.of("{name: FIRST_TOUCH}", "{name: LAST_TOUCH}", "{name: LAST_NON_DIRECT}",
            "{name: LINEAR}", "{name: TIME_DECAY}", "{name: U_SHAPED}", "{name: W_SHAPED}", "{name: FULL_PATH}", "{name: J_SHAPED}",
            "{name: INVERSE_J}", "{name: CUSTOM, weights: {ft: 0.3, lc: 0.2, oc: 0.2, cw: 0.2, middle: 0.1}}", "{name: MARKOV}",
            "{name: SHAPLEY}");

    private Reconciliation() {
    }

    /** Prints a line per model and returns whether the reconciliation holds for all of them over {@code period} (a PeriodInput). */
    public static boolean holds(Ask ask, String period) throws Exception {
        boolean holds = true;
        Double wonInScope = null;
        System.out.println("\nreconciliation, REVENUE basis, " + period + ":");
        for (String model : MODELS) {
            JsonNode answer = ask.graphql("{ performance(period: " + period + ", model: " + model + ", basis: REVENUE,"
                    + " groupBy: CHANNEL, first: 1000) { rows { totalCount edges { node { revenue } } } totals { revenue wonDeals } } }");
            if (answer.hasNonNull("errors")) {
                System.out.printf("  %-60s error: %s%n", model, answer.path("errors").path(0).path("message").asText());
                holds = false;
                continue;
            }
            JsonNode report = answer.path("data").path("performance");
            BigDecimal credited = BigDecimal.ZERO;
            for (JsonNode edge : report.path("rows").path("edges")) {
                credited = credited.add(new BigDecimal(edge.path("node").path("revenue").asText()));
            }
            double won = report.path("totals").path("revenue").asDouble();
            boolean ok = report.path("rows").path("totalCount").asInt() <= 1000
                    && credited.compareTo(new BigDecimal(report.path("totals").path("revenue").asText())) == 0
                    && (wonInScope == null || Math.abs(won - wonInScope) <= 1e-6 * Math.max(1, won));
            wonInScope = wonInScope == null ? won : wonInScope;
            holds &= ok;
            System.out.printf("  %-60s credited %,.2f of won %,.2f (%d deals): %s%n", model, credited.doubleValue(), won,
                    report.path("totals").path("wonDeals").asLong(), ok ? "ok" : "MISMATCH");
        }
        return holds;
    }
}
