package io.closedloop.ingestion.segment;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentBodyTest {

    private static SegmentBody parse(String json, boolean batch) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return SegmentBody.parse(b, b.length, batch, 32 * 1024);
    }

    private static void refused(String json, String expected) {
        SegmentException e = assertThrows(SegmentException.class, () -> parse(json, true));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void batchMessagesKeepTheirExactTextAndSize() {
        String m1 = "{\"type\":\"track\", \"event\":\"é\"}";
        String m2 = "{\"type\":\"page\"}";
        SegmentBody body = parse("{\"sentAt\":\"x\", \"batch\": [" + m1 + " ,\n" + m2 + "], \"writeKey\":\"k\"}", true);
        assertEquals(2, body.messages().size());
        assertEquals(m1, body.messages().get(0).text());
        assertEquals(m1.getBytes(StandardCharsets.UTF_8).length, body.messages().get(0).bytes());
        assertEquals(m2, body.messages().get(1).text());
        assertEquals("k", body.top().get("writeKey").textValue());
        assertNull(body.top().get("batch"));
    }

    @Test
    void syntaxErrorsRefuseTheRequest() {
        refused("{\"batch\":[]} x", "invalid JSON");
        refused("{\"batch\":[]} {}", "after the JSON object");
        refused("{\"batch\":[] // c\n}", "invalid JSON");
        refused("{\"batch\":[],\"n\":NaN}", "invalid JSON");
        refused("{\"batch\":[],\"n\":Infinity}", "invalid JSON");
        refused("{\"batch\":[],\"batch\":[]}", "Duplicate");
        refused("{\"batch\":[{\"a\":1,\"a\":2}]}", "Duplicate");
        refused("{\"batch\":[1,]}", "invalid JSON");
        refused("{\"batch\":[],\"n\":01}", "invalid JSON");
        refused("{\"batch\":[],\"s\":\"tab\there\"}", "invalid JSON");
        refused("[]", "must be a JSON object");
        refused("{\"batch\":{}}", "batch: must be an array");
        refused("{}", "batch: missing");
        refused("{\"batch\":[],\"writeKey\":\"a\\u0000\"}", "writeKey: contains \\u0000");
    }

    @Test
    void nestingIsLimitedTo64Levels() {
        // The body is level 1, "batch" level 2, the message level 3: 61 more arrays make 64.
        String ok = "{\"batch\":[{\"p\":" + "[".repeat(61) + "]".repeat(61) + "}]}";
        assertEquals(1, parse(ok, true).messages().size());
        refused("{\"batch\":[{\"p\":" + "[".repeat(62) + "]".repeat(62) + "}]}", "nesting deeper than 64");
    }

    @Test
    void invalidUtf8IsRefused() {
        for (byte[] bad : new byte[][]{
                {'{', '"', (byte) 0x80, '"', ':', '1', '}'},               // lone continuation byte
                {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'},  // overlong '/'
                {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}, // encoded surrogate
                {'{', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', ':', '1', '}'}, // above U+10FFFF
                {'{', '"', (byte) 0xE2, (byte) 0x82, '"', ':', '1', '}'}}) { // truncated
            SegmentException e = assertThrows(SegmentException.class, () -> SegmentBody.parse(bad, bad.length, true, 100));
            assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        }
        assertEquals(-1, Utf8.firstInvalid("€𝄞é".getBytes(StandardCharsets.UTF_8), "€𝄞é".getBytes(StandardCharsets.UTF_8).length));
    }

    @Test
    void nulCharactersAndLoneSurrogatesRejectOnlyTheirMessage() {
        SegmentBody body = parse("{\"batch\":[{\"a\":\"ok\"},{\"p\":{\"x\":[\"\\u0000\"]}},{\"e\":\"\\udc00x\"},{\"k\\u0000\":1},{\"e\":\"\\ud83d\\ude00\"}]}", true);
        assertNull(body.messages().get(0).problem());
        assertEquals("p.x[0]", body.messages().get(1).problem().field());
        assertEquals("e", body.messages().get(2).problem().field());
        assertNotNull(body.messages().get(3).problem());
        assertNull(body.messages().get(4).problem());
        // A lone surrogate in a field name is already a syntax error to the parser: the request is refused.
        refused("{\"batch\":[{\"k\\ud800\":1}]}", "surrogate");
        // The error names where it is, not only a byte offset.
        refused("{\"batch\":[{\"traits\":{\"k\\ud800\":1}}]}", "batch[0].traits");
        refused("{\"batch\":[{\"type\":\"track\",\"event\":\"e\",\"properties\":{\"a\": tru}}]}", "batch[0].properties.a");
    }

    @Test
    void onlyEscapesOfNulOrSurrogatesSendAMessageToTheSlowCheck() {
        assertTrue(SegmentBody.suspiciousEscape(bytes("{\"a\":\"x\\u0000\"}"), 0, 14));
        assertTrue(SegmentBody.suspiciousEscape(bytes("\"\\uDBFF\""), 0, 8));
        assertTrue(SegmentBody.suspiciousEscape(bytes("\"\\ud800\""), 0, 8));
        assertFalse(SegmentBody.suspiciousEscape(bytes("\"\\\\u0000\""), 0, 9), "an escaped backslash, then text");
        assertFalse(SegmentBody.suspiciousEscape(bytes("\"\\u00e9\\n\\uC800\""), 0, 16));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oversizedMessagesAreRejectedInABatchAndRefusedAlone() {
        String big = "{\"p\":\"" + "x".repeat(40_000) + "\"}";
        SegmentBody body = parse("{\"batch\":[" + big + ",{}]}", true);
        assertTrue(body.messages().get(0).problem().error().contains("32768"));
        assertNull(body.messages().get(1).problem());
        SegmentException e = assertThrows(SegmentException.class, () -> parse(big, false));
        assertEquals(413, e.status());
    }
}
