package io.closedloop.plumbing.graphql;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.graphql.api.CustomScalar;
import io.smallrye.graphql.api.CustomStringScalar;
import org.eclipse.microprofile.graphql.Description;

import java.math.BigDecimal;

/**
 * The public graph's money (README "Money"): an exact decimal, written as a string with its scale kept ("110000.00").
 * One class for every service, so that each subgraph declares the scalar with the same description (the supergraph
 * composes a type only when its subgraphs describe it alike). How an amount is rounded is the producing service's rule
 * (attribution-service's report/Rounding); this is only the value.
 */
@CustomScalar("Money")
@Description("An exact decimal amount as a string (e.g. \"110000.00\"), with the minor-unit digits of the currency its"
        + " report states (2 for USD and EUR, 0 for JPY).")
@RegisterForReflection // read from a subgraph's JSON by the gateway's Jackson, also in a native image
public final class Money implements CustomStringScalar {

    private final BigDecimal value;

    /**
     * Parses an amount: SmallRye GraphQL builds the scalar from its string form, and Jackson (the gateway reading a
     * subgraph's answer) uses this public single-string constructor for a JSON string by itself.
     */
    public Money(String text) {
        this(new BigDecimal(text));
    }

    private Money(BigDecimal value) {
        this.value = value;
    }

    /** {@code value} as it is, its scale kept; null for null. */
    public static Money of(BigDecimal value) {
        return value == null ? null : new Money(value);
    }

    /** {@code value} at the minor unit of {@code currency} (half-even): how every service writes a stored amount. */
    public static Money inCurrency(BigDecimal value, String currency) {
        return value == null ? null : new Money(value.setScale(minorDigits(currency), java.math.RoundingMode.HALF_EVEN));
    }

    /** Decimal places of an ISO 4217 currency's minor unit: 2 when the currency is unknown or has none defined. */
    public static int minorDigits(String currency) {
        if (currency == null) {
            return 2;
        }
        try {
            int digits = java.util.Currency.getInstance(currency).getDefaultFractionDigits();
            return digits < 0 ? 2 : digits;
        } catch (IllegalArgumentException e) {
            return 2;
        }
    }

    public BigDecimal value() {
        return value;
    }

    @Override
    public String stringValueForSerialization() {
        return value.toPlainString();
    }

    /** Equal when the same decimal with the same scale, as BigDecimal: "1.0" and "1.00" are written differently. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Money m && value.equals(m.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value.toPlainString();
    }
}
