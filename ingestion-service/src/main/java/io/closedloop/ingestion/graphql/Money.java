package io.closedloop.ingestion.graphql;

import io.smallrye.graphql.api.CustomScalar;
import io.smallrye.graphql.api.CustomStringScalar;
import org.eclipse.microprofile.graphql.Description;

import java.math.BigDecimal;

/**
 * An amount in the workspace's reporting currency, exactly as stored (numeric(20, 2): "110000.00"). The same scalar, with
 * the same description, as attribution-service's Money: the supergraph composes it only when the subgraphs describe it alike.
 */
@CustomScalar("Money")
@Description("An exact decimal amount as a string (e.g. \"110000.00\"), with the minor-unit digits of the currency its"
        + " report states (2 for USD and EUR, 0 for JPY).")
public final class Money implements CustomStringScalar {

    private final BigDecimal value;

    /** Parses an amount (SmallRye GraphQL builds the scalar from its string form). */
    public Money(String text) {
        this(new BigDecimal(text));
    }

    private Money(BigDecimal value) {
        this.value = value;
    }

    /** The amount as stored, its scale kept; null for none. */
    public static Money of(BigDecimal value) {
        return value == null ? null : new Money(value);
    }

    @Override
    public String stringValueForSerialization() {
        return value.toPlainString();
    }

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
