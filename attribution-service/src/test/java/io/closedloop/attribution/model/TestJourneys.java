package io.closedloop.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Arrays;

/** Small helpers to write journeys in days and compare credits. */
final class TestJourneys {

    static final long DAY = 86_400_000L;
    static final long T0 = Instant.parse("2024-06-01T00:00:00Z").toEpochMilli();

    private TestJourneys() {
    }

    static long day(double day) {
        return T0 + Math.round(day * DAY);
    }

    static Touch touch(String id, double day, String channel) {
        return Touch.of(id, day(day), channel);
    }

    static Touch formFill(String id, double day, String channel) {
        return new Touch(id, day(day), channel, true);
    }

    /** Touches t1..tn on days 1..n, channel "email", ids "t1".."tn". */
    static Touch[] touchesOnDays(int n) {
        Touch[] touches = new Touch[n];
        for (int i = 0; i < n; i++) {
            touches[i] = touch("t" + (i + 1), i + 1, "email");
        }
        return touches;
    }

    /** A pipeline journey created on day 100 with no lead-creation time. */
    static Journey pipeline(Touch... touches) {
        return Journey.builder().opportunityCreatedAt(day(100)).touches(Arrays.asList(touches)).build();
    }

    /** A pipeline journey of n touches on days 1..n, created on day 100, lead unknown. */
    static Journey pipelineOf(int n) {
        return pipeline(touchesOnDays(n));
    }

    static void assertCredits(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, "number of credits");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12,
                    "credit of touch " + i + ": expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        }
    }

    static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
