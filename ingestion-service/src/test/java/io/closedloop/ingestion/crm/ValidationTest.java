package io.closedloop.ingestion.crm;

import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ValidationTest {

    private static InvalidField invalid(Runnable r) {
        return assertThrows(InvalidField.class, r::run);
    }

    @Test
    void timesInTheFormatsExportsUse() {
        assertEquals("2026-03-01T12:00Z", Fields.time("2026-03-01T13:00:00+01:00", "t", true, true).toString());
        assertEquals("2026-03-01T00:00Z", Fields.time("2026-03-01", "t", true, true).toString());
        assertEquals("2026-03-01T00:00Z", Fields.time("3/1/2026", "t", true, true).toString());
        assertEquals("2026-03-01T14:05Z", Fields.time("3/1/2026 2:05 PM", "t", true, true).toString());
        assertEquals("2026-03-01T14:05:06Z", Fields.time("2026-03-01 14:05:06", "t", true, true).toString());
        assertEquals("t", invalid(() -> Fields.time("next tuesday", "t", true, true)).field());
        assertEquals("more than a day in the future", invalid(() -> Fields.time("2099-01-01", "t", true, true)).getMessage());
        assertNull(Fields.time(" ", "t", false, true));
    }

    @Test
    void hostileAmountsAreRejectedNamingTheFieldWithoutQuadraticWork() {
        assertEquals("rate", invalid(() -> Fields.amount("1E-999999999", "rate", true, false, true)).field());
        assertEquals("amount", invalid(() -> Fields.amount("1E999999999", "amount", true, false, true)).field());
        // 100,000 spaces before a letter: the old currency-code regex retried from every space (minutes of CPU).
        String spaces = " ".repeat(100_000) + "x";
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals("amount",
                invalid(() -> Fields.amount("1" + spaces, "amount", true, false, true)).field()));
        assertEquals("1250", Fields.withoutCurrencyMarks(" USD 1 250 "));
        assertEquals("1250", Fields.withoutCurrencyMarks("1,250 EUR").replace(",", ""));
    }

    @Test
    void amountsAreDecimals() {
        assertEquals(new BigDecimal("1250.50"), Fields.amount("1250.50", "amount", true, false, false));
        assertEquals(new BigDecimal("1250.50"), Fields.amount("$1,250.50", "amount", true, false, true));
        assertEquals(new BigDecimal("1250"), Fields.amount("EUR 1,250", "amount", true, false, true));
        invalid(() -> Fields.amount("$1,250.50", "amount", true, false, false));
        invalid(() -> Fields.amount("1,25", "amount", true, false, true));
        invalid(() -> Fields.amount("-5", "amount", true, false, false));
        invalid(() -> Fields.amount("0.00001", "amount", true, false, false));
        assertEquals(new BigDecimal("-5"), Fields.amount("-5", "amount", true, true, false));
    }

    @Test
    void moneyInAnotherCurrencyIsConvertedWithTheRateOfItsDayOrRejected() {
        Conversion.Converted same = Conversion.convert(new Records.Money(new BigDecimal("10.005"), null), LocalDate.of(2026, 3, 1), "USD", (c, d) -> null);
        assertEquals(new BigDecimal("10.00"), same.amount());
        Conversion.Converted eur = Conversion.convert(new Records.Money(new BigDecimal("100"), "EUR"), LocalDate.of(2026, 3, 1), "USD",
                (c, d) -> c.equals("EUR") ? new BigDecimal("1.0815") : null);
        assertEquals(new BigDecimal("108.15"), eur.amount());
        assertEquals("EUR", eur.originalCurrency());
        assertEquals("currency", invalid(() -> Conversion.convert(new Records.Money(BigDecimal.ONE, "GBP"), LocalDate.of(2026, 3, 1), "USD",
                (c, d) -> null)).field());
    }

    @Test
    void opportunityStatusIsGivenOrDerivedFromTheStage() {
        assertEquals("WON", Validation.status(null, "Closed Won"));
        assertEquals("LOST", Validation.status(null, "closedlost"));
        assertEquals("OPEN", Validation.status(null, "Proposal"));
        assertEquals("WON", Validation.status("closed_won", null));
        assertEquals("status", invalid(() -> Validation.status("maybe", null)).field());
    }

    @Test
    void spendIsKeyedByDayChannelAndUtmsAndGetsItsChannelFromTheTaxonomy() {
        Records.Spend s = Validation.spend(new Inputs.Spend("2026-03-01", null, "FB", "Paid Social", "Retargeting", "10", null),
                ChannelTaxonomy.DEFAULT, false);
        assertEquals("2026-03-01|paid_social|facebook|paid_social|retargeting", s.id());
        assertEquals("channel", invalid(() -> Validation.spend(new Inputs.Spend("2026-03-01", null, null, null, null, "1", null),
                ChannelTaxonomy.DEFAULT, false)).field());
    }

    @Test
    void stageHistoriesAreSortedAndDeduplicated() {
        Records.Opportunity o = Validation.opportunity(new Inputs.Opportunity("o", null, null, null, null, "2026-01-01", null, null, null, null,
                List.of(new Inputs.StageChange("B", "2026-01-03"), new Inputs.StageChange("A", "2026-01-02"), new Inputs.StageChange("B", "2026-01-03"))), false);
        assertEquals(List.of("A", "B"), o.stageHistory().stream().map(Records.StageChange::stage).toList());
        assertEquals("stageHistory[1].enteredAt", invalid(() -> Validation.opportunity(new Inputs.Opportunity("o", null, null, null, null,
                "2026-01-01", null, null, null, null, List.of(new Inputs.StageChange("A", "2026-01-02"), new Inputs.StageChange("B", null))), false)).field());
    }
}
