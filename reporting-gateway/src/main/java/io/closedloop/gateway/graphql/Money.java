package io.closedloop.gateway.graphql;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.graphql.api.CustomScalar;
import io.smallrye.graphql.api.CustomStringScalar;
import org.eclipse.microprofile.graphql.Description;

import java.math.BigDecimal;

/**
 * attribution-service's Money scalar, passed through: the exact decimal string it rounded (README "Money"). Checked as a
 * decimal when read, so the gateway never forwards anything else as money. A class, not a record: records are the
 * gateway's object types ({@code AttributionQuery} selects their components).
 */
@CustomScalar("Money")
@Description("An exact decimal amount as a string (e.g. \"110000.00\"), with the minor-unit digits of the currency its"
        + " report states (2 for USD and EUR, 0 for JPY).")
@RegisterForReflection // built from subgraph JSON by Jackson, also in a native image
public final class Money implements CustomStringScalar {

    private final String value;

    @JsonCreator
    public Money(String value) {
        this.value = new BigDecimal(value).toPlainString();
    }

    @JsonValue
    @Override
    public String stringValueForSerialization() {
        return value;
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
        return value;
    }
}
