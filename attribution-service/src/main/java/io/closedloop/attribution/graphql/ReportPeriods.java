package io.closedloop.attribution.graphql;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The period [from, to) of a report, checked the same way by every report: ISO dates or instants, {@code to} after
 * {@code from}, and at most {@code closedloop.reports.max-period-days} long (a report over 1970–2999 is no one's
 * question, and its on-demand work would be unbounded).
 */
@ApplicationScoped
public class ReportPeriods {

    private final int maxDays;

    public ReportPeriods(@ConfigProperty(name = "closedloop.reports.max-period-days", defaultValue = "3660") int maxDays) {
        this.maxDays = maxDays;
    }

    /** [from, to) of operation {@code op}; IllegalArgumentException naming {@code op.from} or {@code op.to}. */
    public Instant[] of(String op, String from, String to) {
        Instant start = instant(op + ".from", from);
        Instant end = instant(op + ".to", to);
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException(op + ".to: must be after from (" + from + "), was " + to);
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(maxDays)) > 0) {
            throw new IllegalArgumentException(op + ".to: the period may span at most " + maxDays + " days, was "
                    + Duration.between(start, end).toDays() + " days from " + from);
        }
        return new Instant[] {start, end};
    }

    private static Instant instant(String field, String text) {
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": must be an ISO-8601 date (2026-03-01) or instant"
                    + " (2026-03-01T00:00:00Z), was " + text);
        }
    }
}
