package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.Money;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoundingTest {

    @Test
    void sharesSummedInBinaryFloatingPointAreRoundedToWhatTheyAddUpTo() {
        // 330 deals of 1,000.00, a third of each per channel, summed as the rollups sum them.
        double perChannel = 0;
        for (int i = 0; i < 330; i++) {
            perChannel += 1000.0 / 3;
        }
        double[] rows = {perChannel, perChannel, perChannel};
        assertEquals(List.of(new Money("110000.00"), new Money("110000.00"), new Money("110000.00")),
                Rounding.apportion(rows, new Money("330000.00")));
    }

    @Test
    void theUnitsLeftOverGoToTheLargestRemaindersSoTheRowsAddUpToTheTotal() {
        // Thirds of 100.00: 33.333... each; a cent is left over and goes to the first of the equal remainders.
        assertEquals(List.of(new Money("33.34"), new Money("33.33"), new Money("33.33")),
                Rounding.apportion(new double[]{100.0 / 3, 100.0 / 3, 100.0 / 3}, new Money("100.00")));
        // 0.005 + 0.0049 + 0.9901 = 1.00: rounded down 0.00 + 0.00 + 0.99, one cent short; it goes to the largest
        // remainder (half a cent), not to each row rounded half-even on its own (0.00 + 0.00 + 0.99 = 0.99).
        List<Money> rows = Rounding.apportion(new double[]{0.005, 0.0049, 0.9901}, new Money("1.00"));
        assertEquals(List.of(new Money("0.01"), new Money("0.00"), new Money("0.99")), rows);
        assertEquals(new BigDecimal("1.00"), rows.stream().map(Money::value).reduce(BigDecimal.ZERO, BigDecimal::add));
    }

    @Test
    void aTotalTheRowsDoNotAddUpToLeavesEachRowRoundedOnItsOwn() {
        assertEquals(List.of(new Money("1.00"), new Money("2.00")), Rounding.apportion(new double[]{1, 2}, new Money("10.00")));
    }

    @Test
    void theCurrencyDecidesTheDigits() {
        assertEquals(2, Rounding.digits("USD"));
        assertEquals(0, Rounding.digits("JPY"));
        assertEquals(3, Rounding.digits("BHD"));
        assertEquals(2, Rounding.digits(null));
        assertEquals(2, Rounding.digits("XYZ"));
        assertEquals(List.of(new Money("334"), new Money("333"), new Money("333")),
                Rounding.apportion(new double[]{1000.0 / 3, 1000.0 / 3, 1000.0 / 3}, new Money("1000")));
        assertEquals("2.50", Rounding.round(2.5, 2).stringValueForSerialization());
    }

    @Test
    void theRowsAddUpToTheTotalAsTheTotalIsRoundedHalfEven() {
        // 2,000.50 in a currency without minor units: the total rounds half-even to 2000, and so does the one row.
        Money total = Rounding.round(2000.5, 0);
        assertEquals(new Money("2000"), total);
        assertEquals(List.of(total), Rounding.apportion(new double[]{2000.5}, total));
        assertEquals(List.of(new Money("1000"), new Money("1001")), Rounding.apportion(new double[]{1000.25, 1000.75},
                Rounding.round(2001, 0)));
    }

    @Test
    void anAmountThatIsNoNumberIsAnInternalErrorNotTheCallers() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Rounding.apportion(new double[]{Double.NaN}, new Money("0.00")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Rounding.round(Double.POSITIVE_INFINITY, 2));
    }
}
