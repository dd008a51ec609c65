package io.closedloop.ingestion.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageReaderTest {

    private static final Instant RECEIVED = Instant.parse("2026-03-01T12:00:00Z");
    private static final TouchTypes TYPES = new TouchTypes(List.of("form submitted", "signed up", "demo requested"));

    private static Object read(String json, String callType, Instant bodySentAt) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        SegmentBody body = SegmentBody.parse(b, b.length, false, 32768);
        return new MessageReader(ChannelTaxonomy.DEFAULT, TYPES, RECEIVED, bodySentAt, null, null).read(body.messages().get(0), callType);
    }

    private static MessageReader.Result ok(String json, String callType) {
        Object r = read(json, callType, null);
        assertTrue(r instanceof MessageReader.Result, () -> "rejected: " + r);
        return (MessageReader.Result) r;
    }

    private static Rejection rejected(String json, String callType) {
        Object r = read(json, callType, null);
        assertTrue(r instanceof Rejection, () -> "accepted: " + r);
        return (Rejection) r;
    }

    @Test
    void utmsComeFromContextCampaignBeforeThePageUrl() {
        TouchRow t = ok("{\"messageId\":\"m\",\"anonymousId\":\"a\",\"context\":{\"campaign\":{\"source\":\"LinkedIn\",\"medium\":\"paid_social\","
                + "\"name\":\"ABM-Q1\",\"content\":\"Hero\"},\"page\":{\"url\":\"https://acme.com/?utm_source=google&utm_medium=cpc\"}}}", "page").touch();
        assertEquals("linkedin", t.source());
        assertEquals("paid_social", t.medium());
        assertEquals("abm-q1", t.campaign());
        assertEquals("hero", t.content());
        assertEquals("paid_social", t.channel());
        assertEquals("PAGE_VIEW", t.type());
    }

    @Test
    void withoutContextCampaignUtmsAndClickIdsComeFromThePageUrlQuery() {
        TouchRow t = ok("{\"messageId\":\"m\",\"anonymousId\":\"a\",\"context\":{\"page\":{\"url\":"
                + "\"https://acme.com/p?UTM_SOURCE=bing&utm_medium=cpc&utm_campaign=Spring%20Sale&utm_term=crm+tool&msclkid=x1&gclid=g1#top\","
                + "\"referrer\":\"https://www.bing.com/\"}}}", "page").touch();
        assertEquals("bing", t.source());
        assertEquals("spring sale", t.campaign());
        assertEquals("crm tool", t.term());
        assertEquals("paid_search", t.channel());
        assertEquals("{\"gclid\":\"g1\",\"msclkid\":\"x1\"}", t.clickIds());
        assertEquals("https://www.bing.com/", t.referrer());
        // analytics-node page calls carry the URL in properties
        TouchRow n = ok("{\"messageId\":\"n\",\"userId\":\"u\",\"properties\":{\"url\":\"https://acme.com/?fbclid=f\",\"referrer\":\"\"}}", "page").touch();
        assertEquals("organic_social", n.channel());
        assertEquals("facebook", n.source());
        assertNull(n.referrer());
    }

    @Test
    void touchTypesComeFromTheCallAndEventName() {
        assertEquals("FORM_FILL", ok("{\"userId\":\"u\",\"event\":\"Demo Requested\"}", "track").touch().type());
        assertEquals("FORM_FILL", ok("{\"userId\":\"u\",\"event\":\" signed up \"}", "track").touch().type());
        assertEquals("WEBINAR", ok("{\"userId\":\"u\",\"event\":\"Webinar Attended\"}", "track").touch().type());
        assertEquals("EMAIL_CLICK", ok("{\"userId\":\"u\",\"event\":\"Email Link Clicked\"}", "track").touch().type());
        assertEquals("TRACK", ok("{\"userId\":\"u\",\"event\":\"Pricing Viewed\"}", "track").touch().type());
        assertEquals("SCREEN_VIEW", ok("{\"userId\":\"u\",\"name\":\"Home\"}", "screen").touch().type());
        assertEquals("direct", ok("{\"userId\":\"u\",\"name\":\"Home\"}", "screen").touch().channel());
    }

    @Test
    void aFormFillLinksTheAnonymousIdToTheEmail() {
        MessageReader.Result r = ok("{\"messageId\":\"f\",\"anonymousId\":\"a1\",\"event\":\"Form Submitted\",\"properties\":{\"email\":\"Ada@Acme.com\"}}", "track");
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"a1\"},{\"type\":\"email\",\"value\":\"ada@acme.com\"}]", r.touch().identifiers());
        assertEquals("link", r.fact().kind());
        assertEquals("f", r.fact().id());
        assertNull(ok("{\"anonymousId\":\"a1\",\"event\":\"Viewed\"}", "track").fact(), "one identifier links nothing");
    }

    @Test
    void identifyGroupAndAliasAreIdentityFacts() {
        MessageReader.Result i = ok("{\"messageId\":\"i\",\"userId\":\"u1\",\"anonymousId\":\"a1\",\"traits\":{\"email\":\"ADA@acme.com\",\"phone\":\"+1 555 0100 22\"}}", "identify");
        assertNull(i.touch());
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"a1\"},{\"type\":\"user_id\",\"value\":\"u1\"},{\"type\":\"email\",\"value\":\"ada@acme.com\"},"
                + "{\"type\":\"phone\",\"value\":\"+1555010022\"}]", i.fact().identifiers());
        MessageReader.Result g = ok("{\"userId\":\"u1\",\"groupId\":42,\"traits\":{\"name\":\"Acme\",\"domain\":\"WWW.Acme.com\"}}", "group");
        assertEquals("{\"id\":\"42\",\"domain\":\"acme.com\",\"name\":\"Acme\"}", g.fact().account());
        MessageReader.Result a = ok("{\"userId\":\"u2\",\"previousId\":\"u1\"}", "alias");
        assertEquals("[{\"type\":\"anonymous_id\",\"value\":\"u1\"},{\"type\":\"user_id\",\"value\":\"u1\"},{\"type\":\"user_id\",\"value\":\"u2\"}]",
                a.fact().identifiers(), "previousId may be an anonymous or a user id: linked as both");
        assertEquals("previousId", rejected("{\"userId\":\"u2\"}", "alias").field());
        assertEquals("groupId", rejected("{\"userId\":\"u2\"}", "group").field());
    }

    @Test
    void timesAreCorrectedForClockSkewBySentAt() {
        // The device's clock is 10 minutes fast: it says the event happened at 12:09 and was sent at 12:10; received 12:00.
        TouchRow t = ok("{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"2026-03-01T12:09:00.000Z\",\"sentAt\":\"2026-03-01T12:10:00Z\"}", "track").touch();
        assertEquals(Instant.parse("2026-03-01T11:59:00Z"), t.occurredAt().toInstant());
        Object viaBody = read("{\"userId\":\"u\",\"event\":\"e\",\"originalTimestamp\":\"2026-03-01T13:09:00+01:00\"}", "track",
                Instant.parse("2026-03-01T12:10:00Z"));
        assertEquals(Instant.parse("2026-03-01T11:59:00Z"), ((MessageReader.Result) viaBody).touch().occurredAt().toInstant());
        assertEquals(RECEIVED, ok("{\"userId\":\"u\",\"event\":\"e\"}", "track").touch().occurredAt().toInstant());
        assertEquals("timestamp", rejected("{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"1999-12-31T00:00:00Z\"}", "track").field());
        assertEquals("sentAt", rejected("{\"userId\":\"u\",\"event\":\"e\",\"sentAt\":\"2026-03-03T00:00:00Z\"}", "track").field());
        assertEquals("timestamp", rejected("{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":1700000000}", "track").field());
    }

    @Test
    void theFastTimeParserAgreesWithJavaTime() {
        for (String t : List.of("2026-03-01T12:00:00Z", "2026-03-01T12:00:00.1Z", "2026-03-01T12:00:00.123Z", "2024-02-29T23:59:59.999999999Z")) {
            assertEquals(java.time.OffsetDateTime.parse(t).toInstant(), Times.parseUtc(t), t);
        }
        for (String t : List.of("2026-02-30T12:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T12:00:00+01:00", "2026-03-01 12:00:00Z",
                "2026-03-01T12:00:00.Z", "2026-3-01T12:00:00Z")) {
            assertNull(Times.parseUtc(t), t);
        }
    }

    @Test
    void aMissingMessageIdIsDerivedFromTheContentSoRetriesMatch() throws Exception {
        String a = ok("{\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"2026-03-01T11:00:00Z\",\"sentAt\":\"2026-03-01T11:00:01Z\"}", "track").messageId();
        String b = ok("{\"sentAt\":\"2026-03-01T11:00:09Z\",\"event\":\"e\",\"userId\":\"u\",\"timestamp\":\"2026-03-01T11:00:00Z\"}", "track").messageId();
        String c = ok("{\"userId\":\"u\",\"event\":\"f\",\"timestamp\":\"2026-03-01T11:00:00Z\"}", "track").messageId();
        assertEquals(a, b, "key order and sentAt do not matter");
        assertNotEquals(a, c);
        assertTrue(a.startsWith("derived-"));
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree("{\"userId\":\"u\",\"event\":\"e\"}");
        assertNotEquals(MessageReader.derivedId("track", n), MessageReader.derivedId("page", n));
    }

    @Test
    void badFieldsAreNamed() {
        assertEquals("userId", rejected("{\"event\":\"e\"}", "track").field());
        assertEquals("userId", rejected("{\"userId\":true,\"event\":\"e\"}", "track").field());
        assertEquals("messageId", rejected("{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + "x".repeat(300) + "\"}", "track").field());
        assertEquals("context", rejected("{\"userId\":\"u\",\"event\":\"e\",\"context\":[]}", "track").field());
        assertEquals("context.page.url", rejected("{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"page\":{\"url\":5}}}", "track").field());
        assertEquals("event", rejected("{\"userId\":\"u\",\"event\":\"\"}", "track").field());
        // A public write key may not squat the fact id of a CRM contact's link or an offline touch's.
        assertEquals("messageId", rejected("{\"userId\":\"u\",\"traits\":{},\"messageId\":\"contact:1001\"}", "identify").field());
        assertEquals("messageId", rejected("{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"touch:call-7\"}", "track").field());
        assertEquals("context.campaign.name", rejected("{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"campaign\":{\"name\":\""
                + "c".repeat(MessageReader.MAX_UTM_LENGTH + 1) + "\"}}}", "track").field());
        assertEquals("context.campaign.source", rejected("{\"userId\":\"u\",\"event\":\"e\",\"context\":{\"campaign\":{\"source\":"
                + "1".repeat(400) + "}}}", "track").field(), "the spec types UTMs as strings; a number is the sender's mistake");
        assertFalse(read("{\"userId\":\"u\",\"event\":\"e\",\"unknown\":{\"kept\":true}}", "track", null) instanceof Rejection,
                "unknown fields are accepted and kept");
    }
}
