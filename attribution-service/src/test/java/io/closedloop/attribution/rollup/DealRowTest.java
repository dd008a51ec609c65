package io.closedloop.attribution.rollup;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Deal profiles carry any key, separators, digits and colons included, without breaking or injecting entries. */
class DealRowTest {

    @Test
    void keysWithSeparatorsDigitsAndColonsComeBackAsWritten() {
        StringBuilder profile = new StringBuilder();
        List<String> keys = List.of("spring\u001e", "a\u001fb", "12:3;4", "", "(none)", "x;1:y");
        for (int k = 0; k < keys.size(); k++) {
            DealRow.appendEntry(profile, keys.get(k), k % 2 == 0 ? 0b01 : 0b10);
        }
        List<String> first = new ArrayList<>();
        DealRow.forEachCreditedKey(profile.toString(), 0, first::add);
        assertEquals(List.of("spring\u001e", "12:3;4", "(none)"), first);
        List<String> second = new ArrayList<>();
        DealRow.forEachCreditedKey(profile.toString(), 1, second::add);
        assertEquals(List.of("a\u001fb", "", "x;1:y"), second);
        List<String> none = new ArrayList<>();
        DealRow.forEachCreditedKey("", 0, none::add);
        assertEquals(List.of(), none);
    }
}
