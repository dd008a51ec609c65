package io.closedloop.ingestion.csv;

import io.closedloop.ingestion.crm.Inputs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvImportPartsTest {

    private static List<List<String>> all(String csv) throws IOException {
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new StringReader(csv))) {
            for (List<String> rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
        }
        return out;
    }

    @Test
    void readsRfc4180() throws IOException {
        assertEquals(List.of(List.of("a", "b", "c"), List.of("1", "x,y", "say \"hi\""), List.of("2", "multi\nline", "")),
                all("\uFEFFa,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"multi\nline\",\n"));
        assertEquals(List.of(List.of("last", "line")), all("last,line"));
        assertEquals(List.of(List.of("", "")), all(",\n"));
    }

    @Test
    void brokenFilesNameTheLine() {
        CsvException e = assertThrows(CsvException.class, () -> all("a,b\n1,2\n3,\"open\n4,5\n"));
        assertEquals(3, e.line());
        assertThrows(CsvException.class, () -> all("a\n\"x\"y\n"));
    }

    @Test
    void salesforceAndHubspotTitlesMapToFields() {
        ColumnMapping sf = ColumnMapping.resolve(ImportKind.OPPORTUNITIES, "salesforce",
                List.of("Opportunity ID", "Account ID", "Amount", "Created Date", "Stage", "Won", "Closed", "Close Date"));
        Inputs.Opportunity o = (Inputs.Opportunity) sf.toInput(List.of("006", "001", "$1,000", "1/2/2026", "Negotiation", "0", "1", "2/2/2026"));
        assertEquals("006", o.id());
        assertEquals("LOST", o.status());
        assertEquals("$1,000", o.amount());
        ColumnMapping hs = ColumnMapping.resolve(ImportKind.OPPORTUNITIES, "HubSpot",
                List.of("Record ID", "Create Date", "Associated Company IDs", "Associated Contact IDs"));
        Inputs.Opportunity h = (Inputs.Opportunity) hs.toInput(List.of("9", "2026-01-01", "5001;5002", "7001; 7002"));
        assertEquals("5001", h.accountId());
        assertEquals(2, h.contactRoles().size());
        assertNull(h.status(), "derived from the stage later");
        ColumnMapping fields = ColumnMapping.resolve(ImportKind.ACCOUNTS, null, List.of("ID", "created_at"));
        assertEquals(2, fields.columns().size());
    }

    @Test
    void aRecordOfMoreThanAMillionCharactersStopsTheReaderNamingItsLine() throws IOException {
        String field = "x".repeat(60_000);
        String record = String.join(",", java.util.Collections.nCopies(20, field)); // 1.2 M characters, each field within limits
        CsvReader reader = new CsvReader(new StringReader("a,b\n1,2\n" + record + "\n"));
        reader.next();
        reader.next();
        CsvException e = assertThrows(CsvException.class, reader::next);
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("record is longer than 1000000"), e.getMessage());
    }

    @Test
    void anExponentFarOutOfRangeIsNotInvertedButLeftForValidation() {
        assertEquals("1E-999999999", ImportKind.invert("1E-999999999"));
        assertEquals("1E+999999999", ImportKind.invert("1E+999999999"));
        assertEquals("0.5", ImportKind.invert("2"));
    }

    @Test
    void salesforceConversionRatesAreInverted() {
        ColumnMapping m = ColumnMapping.resolve(ImportKind.EXCHANGE_RATES, "salesforce", List.of("ISO Code", "Conversion Rate", "Start Date"));
        Inputs.ExchangeRate r = (Inputs.ExchangeRate) m.toInput(List.of("EUR", "0.8", "2026-01-01"));
        assertEquals("1.25", r.rate());
    }

    @Test
    void mappingsThatCannotWorkAreRefusedUpFront() {
        assertTrue(assertThrows(MappingException.class, () -> ColumnMapping.resolve(ImportKind.REVENUE, "hubspot", List.of("Invoice ID")))
                .getMessage().contains("no column for accountId, amount, occurredAt"));
        assertTrue(assertThrows(MappingException.class, () -> ColumnMapping.resolve(ImportKind.ACCOUNTS, "{\"id\": \"Nope\"}", List.of("Id")))
                .getMessage().startsWith("mapping.id"));
        assertTrue(assertThrows(MappingException.class, () -> ColumnMapping.resolve(ImportKind.ACCOUNTS, "{oops", List.of("Id")))
                .getMessage().startsWith("mapping:"));
    }
}
