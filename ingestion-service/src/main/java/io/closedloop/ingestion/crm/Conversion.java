package io.closedloop.ingestion.crm;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;

/**
 * Money into the workspace's reporting currency (DESIGN §9 "Money"): an amount in another currency
 * needs an exchange rate for its day (the latest rate at most {@value #RATE_MAX_AGE_DAYS} days
 * older, so weekends and holidays are covered), else it is rejected naming the field.
 */
public final class Conversion {

    public static final int RATE_MAX_AGE_DAYS = 7;

    /** Looks up a rate: units of the reporting currency per unit of {@code currency} on {@code day}; null when none is known. */
    @FunctionalInterface
    public interface Rates {
        BigDecimal rate(String currency, LocalDate day);
    }

    /** An amount in the reporting currency (2 decimals) and as given. */
    public record Converted(BigDecimal amount, String currency, BigDecimal originalAmount, String originalCurrency) {
    }

    private Conversion() {
    }

    public static Converted convert(Records.Money money, LocalDate day, String reportingCurrency, Rates rates) {
        String currency = money.currency() == null ? reportingCurrency : money.currency();
        if (currency.equals(reportingCurrency)) {
            return new Converted(money.amount().setScale(2, RoundingMode.HALF_EVEN), reportingCurrency, money.amount(), currency);
        }
        BigDecimal rate = rates.rate(currency, day);
        if (rate == null) {
            throw new InvalidField("currency", "no exchange rate from " + currency + " into the reporting currency " + reportingCurrency
                    + " for " + day + " (or up to " + RATE_MAX_AGE_DAYS + " days before); add one with importExchangeRates");
        }
        return new Converted(money.amount().multiply(rate).setScale(2, RoundingMode.HALF_EVEN), reportingCurrency, money.amount(), currency);
    }
}
