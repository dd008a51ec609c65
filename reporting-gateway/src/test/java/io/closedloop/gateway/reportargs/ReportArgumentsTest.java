package io.closedloop.gateway.reportargs;

import io.closedloop.gateway.reportargs.ReportArguments.Weights;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportArgumentsTest {

    private static String error(Runnable call) {
        return assertThrows(IllegalArgumentException.class, call::run).getMessage();
    }

    @Test
    void reversedPeriodIsRefusedNamingTheField() {
        String message = error(() -> ReportArguments.period("performance", "2026-03-31", "2026-01-01"));
        assertEquals("performance.period: is reversed: 'to' (2026-01-01) is before 'from' (2026-03-31)", message);
    }

    @Test
    void oneDayPeriodIsAccepted() {
        var period = ReportArguments.period("performance", "2026-01-01", "2026-01-01");
        assertEquals(LocalDate.of(2026, 1, 1), period.to());
    }

    @Test
    void malformedDateIsRefused() {
        assertTrue(error(() -> ReportArguments.period("performance", "2026-13-01", "2026-12-31"))
                .startsWith("performance.period.from: is not a date"));
    }

    @Test
    void negativeOrZeroHalfLifeIsRefused() {
        assertEquals("performance.model.halfLifeDays: must be greater than 0, was -3.0",
                error(() -> ReportArguments.model("performance", "model", "TIME_DECAY", -3.0, null, null, null)));
        assertTrue(error(() -> ReportArguments.model("performance", "model", "TIME_DECAY", 0.0, null, null, null))
                .contains("halfLifeDays: must be greater than 0"));
        assertTrue(error(() -> ReportArguments.model("performance", "model", "TIME_DECAY", Double.NaN, null, null, null))
                .contains("halfLifeDays: must be greater than 0"));
    }

    @Test
    void halfLifeOnAnotherModelIsRefused() {
        assertTrue(error(() -> ReportArguments.model("op", "model", "LINEAR", 7.0, null, null, null))
                .contains("applies only to TIME_DECAY"));
    }

    @Test
    void customWeightsMustSumToOne() {
        assertTrue(error(() -> ReportArguments.model("op", "model", "CUSTOM", null, null, new Weights(0.5, 0.5, 0.5, 0, 0), null))
                .startsWith("op.model.weights: must sum to 1"));
        assertTrue(error(() -> ReportArguments.model("op", "model", "CUSTOM", null, null, null, null))
                .startsWith("op.model.weights: is required"));
        assertTrue(error(() -> ReportArguments.model("op", "model", "CUSTOM", null, null, new Weights(1.2, -0.2, 0, 0, 0), null))
                .startsWith("op.model.weights.lc: must be a non-negative number"));
        var model = ReportArguments.model("op", "model", "CUSTOM", null, null, new Weights(0.3, 0.3, 0.2, 0.1, 0.1), null);
        assertEquals(0.1, model.weights().middle());
    }

    @Test
    void markovOrderIsOneToFour() {
        assertTrue(error(() -> ReportArguments.model("op", "model", "MARKOV", null, null, null, 5)).contains("between 1 and 4"));
        assertEquals(4, ReportArguments.model("op", "model", "MARKOV", null, null, null, 4).markovOrder());
    }

    @Test
    void lookbackMustBePositive() {
        assertTrue(error(() -> ReportArguments.model("op", "model", "LINEAR", null, 0, null, null)).contains("lookbackDays"));
    }

    @Test
    void pageSizeIsCappedAndDefaulted() {
        assertEquals(ReportArguments.DEFAULT_PAGE_SIZE, ReportArguments.pageSize("performance", null));
        assertEquals(1000, ReportArguments.pageSize("performance", 1000));
        assertEquals("performance.first: must be between 1 and 1000, was 1001",
                error(() -> ReportArguments.pageSize("performance", 1001)));
        assertTrue(error(() -> ReportArguments.pageSize("performance", 0)).contains("between 1 and 1000"));
    }

    @Test
    void modelComparisonTakesOneToSixModels() {
        assertTrue(error(() -> ReportArguments.modelCount("modelComparison", 0)).startsWith("modelComparison.models"));
        assertTrue(error(() -> ReportArguments.modelCount("modelComparison", 7)).contains("between 1 and 6"));
        ReportArguments.modelCount("modelComparison", 6);
    }
}
