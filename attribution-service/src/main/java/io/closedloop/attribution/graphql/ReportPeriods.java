package io.closedloop.attribution.graphql;

import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The period of a report, checked the same way by every report: whole days, both ends inclusive, {@code to} not before
 * {@code from}, and at most {@code closedloop.reports.max-period-days} long (a report over 1970–2999 is no one's
 * question, and its on-demand work would be unbounded).
 */
@ApplicationScoped
public class ReportPeriods {

    private final int maxDays;

    public ReportPeriods(@ConfigProperty(name = "closedloop.reports.max-period-days", defaultValue = "3660") int maxDays) {
        this.maxDays = maxDays;
    }

    /**
     * [from 00:00 UTC, the day after to 00:00 UTC) of operation {@code op}'s inclusive period; IllegalArgumentException
     * naming {@code op.period...}.
     */
    public Instant[] of(String op, PeriodInput period) {
        ReportInputs.Days days = days(op, period);
        return new Instant[] {days.from().atStartOfDay(ZoneOffset.UTC).toInstant(),
                days.to().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()};
    }

    /** {@code period} checked as {@link #of} checks it, as days (both inclusive). */
    public ReportInputs.Days days(String op, PeriodInput period) {
        ReportInputs.Days days = ReportInputs.days(op, period);
        long span = days.to().toEpochDay() + 1 - days.from().toEpochDay();
        if (span > maxDays) {
            throw ReportInputs.bad(op, "period.to", "the period may span at most " + maxDays + " days, was " + span
                    + " days from " + days.from());
        }
        return days;
    }
}
