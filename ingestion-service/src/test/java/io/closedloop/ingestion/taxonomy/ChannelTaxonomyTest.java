package io.closedloop.ingestion.taxonomy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelTaxonomyTest {

    private static Classification utm(String source, String medium, String campaign) {
        return ChannelTaxonomy.DEFAULT.classify(TouchSignals.ofUtm(source, medium, campaign));
    }

    private static Classification visit(String referrer, String pageUrl, Map<String, String> clickIds) {
        return ChannelTaxonomy.DEFAULT.classify(new TouchSignals(null, null, null, null, null, referrer, pageUrl, clickIds));
    }

    @ParameterizedTest(name = "{0} / {1} → {2}")
    @CsvSource({
            "google, cpc, paid_search",
            "bing, ppc, paid_search",
            "Google, Paid-Search, paid_search",
            "linkedin, paid_social, paid_social",
            "facebook, cpc, paid_social",
            "fb, paidsocial, paid_social",
            "facebook.com, retargeting, paid_social",
            "youtube, cpc, video",
            "youtube, video, video",
            "doubleclick, display, display",
            "criteo, cpm, display",
            "linkedin, social, organic_social",
            "twitter, referral, organic_social",
            "google, organic, organic_search",
            "newsletter, email, email",
            "hubspot, e-mail, email",
            "partnerstack, affiliate, affiliates",
            "saastr, conference, events",
            "g2.com, referral, referral",
            "capterra, cpc, other",
    })
    void utmsMapToTheDefaultChannels(String source, String medium, String channel) {
        assertEquals(channel, utm(source, medium, "c").channel());
    }

    @Test
    void utmsAreTrimmedLowerCasedAndAliasesMerged() {
        Classification c = ChannelTaxonomy.DEFAULT.classify(new TouchSignals("  FB ", " Paid Social", " Spring Sale ", "Hero", " KW ",
                null, null, Map.of()));
        assertEquals("facebook", c.source());
        assertEquals("paid_social", c.medium());
        assertEquals("spring sale", c.campaign());
        assertEquals("hero", c.content());
        assertEquals("kw", c.term());
        assertEquals("facebook", Utm.source("m.facebook.com"));
        assertEquals("facebook", Utm.source("https://l.facebook.com/l.php"));
        assertEquals("google", Utm.sourceOfHost("www.google.co.uk"));
        assertEquals("linkedin", Utm.sourceOfHost("lnkd.in"));
        assertEquals("g2.com", Utm.sourceOfHost("www.g2.com"));
        assertEquals("email", Utm.medium("E-Mail"));
    }

    @Test
    void withoutUtmsTheReferrerOrClickIdDecidesAsGa4Does() {
        Classification search = visit("https://www.google.com/", "https://acme.com/", Map.of());
        assertEquals("organic_search", search.channel());
        assertEquals("google", search.source());
        assertEquals("organic", search.medium());
        assertEquals("organic_social", visit("https://www.linkedin.com/feed/", "https://acme.com/", Map.of()).channel());
        Classification referral = visit("https://www.g2.com/products/acme", "https://acme.com/", Map.of());
        assertEquals("referral", referral.channel());
        assertEquals("g2.com", referral.source());
        assertEquals("paid_search", visit(null, "https://acme.com/?gclid=abc", Map.of("gclid", "abc")).channel());
        assertEquals("paid_search", visit(null, null, Map.of("msclkid", "x")).channel());
        assertEquals("paid_social", visit(null, null, Map.of("li_fat_id", "x")).channel());
        assertEquals("organic_social", visit(null, null, Map.of("fbclid", "x")).channel());
    }

    @Test
    void aRuleThatBacktracksExponentiallyElsewhereMatchesInLinearTime() {
        ChannelTaxonomy taxonomy = ChannelTaxonomy.fromMaps(List.of(Map.of("channel", "trap", "campaign", "(a|aa)+b"),
                Map.of("channel", "rest")));
        // java.util.regex needs about 2^50 steps for this; the visitor controls the campaign.
        String campaign = "a".repeat(50);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> assertEquals("rest",
                taxonomy.classify(TouchSignals.ofUtm("x", "y", campaign)).channel()));
        assertEquals("trap", taxonomy.classify(TouchSignals.ofUtm("x", "y", campaign + "b")).channel());
    }

    @Test
    void theMemoStaysWithinItsBytesWhateverUniqueLongCampaignsArrive() {
        ChannelTaxonomy taxonomy = ChannelTaxonomy.DEFAULT;
        String filler = "c".repeat(8_000);
        // 4,000 unique 8 KB campaigns: about 128 MB at the memo's weight, 8 times its bound.
        for (int i = 0; i < 4_000; i++) {
            assertEquals("paid_search", taxonomy.classify(TouchSignals.ofUtm("google", "cpc", filler + i)).channel());
        }
        long bytes = taxonomy.memoBytes();
        assertTrue(bytes > 0 && bytes <= ChannelTaxonomy.MEMO_BYTES, "memo holds " + bytes + " bytes");
    }

    @Test
    void contentsNoRuleReadsShareOneMemoEntryAndEachTouchKeepsItsOwn() {
        ChannelTaxonomy taxonomy = ChannelTaxonomy.fromMaps(ChannelTaxonomy.DEFAULT.toMaps());
        for (int i = 0; i < 1_000; i++) {
            Classification c = taxonomy.classify(new TouchSignals("google", "cpc", "brand", " Ad-" + i + " ", "Shoes", null, null, Map.of()));
            assertEquals("paid_search", c.channel());
            assertEquals("ad-" + i, c.content(), "the touch's own content, cleaned");
            assertEquals("shoes", c.term());
            assertTrue(c.utmValid());
        }
        assertTrue(taxonomy.memoBytes() < 2_000, "no rule reads the content: one entry, " + taxonomy.memoBytes() + " bytes");
        // A content alone is a UTM: without a source and a medium the touch's UTMs are not valid, memo or not.
        assertFalse(taxonomy.classify(new TouchSignals(null, null, null, "ad-1", null, null, null, Map.of())).utmValid());
        // A workspace rule that reads the content keys the memo by it.
        ChannelTaxonomy byContent = ChannelTaxonomy.fromMaps(List.of(Map.of("channel", "retargeting", "content", "retarget-.*"),
                Map.of("channel", "other")));
        assertEquals("retargeting", byContent.classify(new TouchSignals("google", "cpc", null, "retarget-1", null, null, null, Map.of())).channel());
        assertEquals("other", byContent.classify(new TouchSignals("google", "cpc", null, "prospect-1", null, null, null, Map.of())).channel());
    }

    @Test
    void campaignsTheDefaultReadsOnlyAsAbsentShareOneMemoEntry() {
        ChannelTaxonomy taxonomy = ChannelTaxonomy.fromMaps(ChannelTaxonomy.DEFAULT.toMaps());
        for (int i = 0; i < 1_000; i++) {
            Classification c = taxonomy.classify(TouchSignals.ofUtm("linkedin", "paid-social", "Spring-" + i));
            assertEquals("paid_social", c.channel());
            assertEquals("spring-" + i, c.campaign(), "the touch's own campaign, cleaned");
        }
        assertTrue(taxonomy.memoBytes() < 2_000, "the direct rule reads the campaign only as absent: one entry, "
                + taxonomy.memoBytes() + " bytes");
        // Yet a campaign is there or not: a campaign alone is no direct visit, and its UTMs are not valid.
        Classification campaignOnly = taxonomy.classify(new TouchSignals(null, null, "spring-1", null, null, null, null, Map.of()));
        assertEquals("other", campaignOnly.channel());
        assertFalse(campaignOnly.utmValid());
        assertEquals("direct", taxonomy.classify(new TouchSignals(null, null, null, null, null, null, null, Map.of())).channel());
        // A workspace rule that reads the campaign's value keys the memo by it.
        ChannelTaxonomy byCampaign = ChannelTaxonomy.fromMaps(List.of(Map.of("channel", "events", "campaign", "summit-.*"),
                Map.of("channel", "other")));
        assertEquals("events", byCampaign.classify(TouchSignals.ofUtm("x", "y", "summit-26")).channel());
        assertEquals("other", byCampaign.classify(TouchSignals.ofUtm("x", "y", "spring-26")).channel());
    }

    @Test
    void noCampaignNoReferrerNoClickIdIsDirect() {
        Classification direct = visit(null, "https://acme.com/pricing", Map.of());
        assertEquals("direct", direct.channel());
        assertTrue(direct.utmValid());
        assertEquals("direct", visit("https://www.acme.com/", "https://acme.com/pricing", Map.of()).channel(),
                "navigation within the site is no referral");
        assertEquals("direct", visit("", "https://acme.com/", Map.of()).channel());
    }

    @Test
    void utmsThatBreakTheTaxonomyAreFlaggedNotDropped() {
        assertTrue(utm("google", "cpc", null).utmValid());
        Classification noMedium = utm("google", null, "brand");
        assertFalse(noMedium.utmValid());
        assertEquals("organic_search", noMedium.channel());
        Classification unmapped = utm("capterra", "cpc", "x");
        assertFalse(unmapped.utmValid());
        assertEquals("other", unmapped.channel());
        assertFalse(utm(null, null, "only-a-campaign").utmValid());
    }

    @Test
    void workspaceRulesComeFirstInOrderAndAreValidatedNamingIndexAndField() {
        ChannelTaxonomy custom = ChannelTaxonomy.fromMaps(List.of(
                Map.of("channel", "partner_marketing", "source", "partner-.*"),
                Map.of("channel", "paid_search", "sourceCategory", "SEARCH", "medium", "cpc"),
                Map.of("channel", "direct", "source", "", "medium", ""),
                Map.of("channel", "review_sites", "referrerHost", "(www\\.)?(g2|capterra)\\.com"),
                Map.of("channel", "leftovers")));
        assertEquals("partner_marketing", custom.classify(TouchSignals.ofUtm("Partner-Acme", "email", null)).channel());
        assertEquals("paid_search", custom.classify(TouchSignals.ofUtm("google", "cpc", null)).channel());
        assertEquals("review_sites", custom.classify(new TouchSignals(null, null, null, null, null,
                "https://www.g2.com/x", "https://acme.com", Map.of())).channel());
        assertEquals("leftovers", custom.classify(TouchSignals.ofUtm("x", "y", null)).channel());
        assertFalse(custom.classify(TouchSignals.ofUtm("x", "y", null)).utmValid(), "only a catch-all maps it");
        assertEquals(List.of("channel", "source"), List.copyOf(custom.toMaps().get(0).keySet()));

        assertTrue(assertThrows(TaxonomyException.class, () -> ChannelTaxonomy.fromMaps(List.of(
                Map.of("channel", "a", "source", "x"), Map.of("channel", "b", "medium", "(cpc")))).getMessage()
                .startsWith("rules[1].medium: not a valid regular expression"));
        // Backreferences (and lookaround) have no linear-time match: refused, naming the field.
        assertTrue(assertThrows(TaxonomyException.class, () -> ChannelTaxonomy.fromMaps(List.of(
                Map.of("channel", "a", "campaign", "(a)\\1")))).getMessage().startsWith("rules[0].campaign: not a valid regular expression"));
        assertTrue(assertThrows(TaxonomyException.class, () -> ChannelTaxonomy.fromMaps(List.of(
                Map.of("channel", "Paid Search")))).getMessage().startsWith("rules[0].channel:"));
        assertTrue(assertThrows(TaxonomyException.class, () -> ChannelTaxonomy.fromMaps(List.of(
                Map.of("channel", "a"), Map.of("channel", "b", "colour", "red")))).getMessage().startsWith("rules[1].colour: unknown condition"));
        assertThrows(TaxonomyException.class, () -> ChannelTaxonomy.fromMaps(List.of()));
    }

    @Test
    void theDefaultRoundTripsThroughItsMaps() {
        ChannelTaxonomy again = ChannelTaxonomy.fromMaps(ChannelTaxonomy.DEFAULT.toMaps());
        assertEquals(ChannelTaxonomy.DEFAULT.toMaps(), again.toMaps());
        assertTrue(ChannelTaxonomy.DEFAULT.channels().containsAll(List.of("paid_search", "paid_social", "organic_search",
                "organic_social", "email", "referral", "display", "affiliates", "video", "events", "direct", "other")));
    }
}
