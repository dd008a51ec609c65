package io.closedloop.ingestion.service;

import io.closedloop.ingestion.segment.Identifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErasurePatternsTest {

    @Test
    void importErrorsAreSearchedForEachValueAndAnEmailsLocalPartButNeverForAValueThatShortOrWithItsWildcardsLoose() {
        List<String> patterns = ErasureService.patterns(List.of(new Identifier("email", "ada_l@acme.com"), new Identifier("contact_id", "5"),
                new Identifier("user_id", "u%1")));
        // "5" would match every sample's row number: skipped. LIKE wildcards in values are escaped.
        assertEquals(List.of("%ada\\_l@acme.com%", "%ada\\_l%", "%u\\%1%"), patterns);
    }
}
