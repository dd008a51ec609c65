package io.closedloop.ingestion.taxonomy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.ingestion.taxonomy.ChannelRule.Attribute;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A workspace's channel taxonomy: ordered rules, the first that matches a touch assigns its
 * channel; when none matches the channel is {@value #FALLBACK}. The {@link #DEFAULT} follows
 * GA4's default channel grouping, reduced to the channels of DESIGN §3.
 */
public final class ChannelTaxonomy {

    public static final String FALLBACK = "other";
    public static final int MAX_RULES = 200;

    private static final String PAID = "(.*cp.*|ppc|retargeting|paid.*)";

    /** Click ids that stand for a source and medium when a touch has no UTMs, in order of precedence. */
    private static final List<String[]> CLICK_ID_SOURCES = List.of(
            new String[]{"gclid", "google", "cpc"}, new String[]{"gbraid", "google", "cpc"}, new String[]{"wbraid", "google", "cpc"},
            new String[]{"dclid", "google", "display"}, new String[]{"msclkid", "bing", "cpc"},
            new String[]{"li_fat_id", "linkedin", "cpc"}, new String[]{"ttclid", "tiktok", "cpc"},
            new String[]{"twclid", "twitter", "cpc"}, new String[]{"fbclid", "facebook", "referral"});

    public static final ChannelTaxonomy DEFAULT = new ChannelTaxonomy(List.of(
            rule(0, "direct", Attribute.SOURCE, "", Attribute.MEDIUM, "", Attribute.CAMPAIGN, ""),
            rule(1, "paid_search", Attribute.SOURCE_CATEGORY, "SEARCH", Attribute.MEDIUM, PAID),
            rule(2, "paid_social", Attribute.SOURCE_CATEGORY, "SOCIAL", Attribute.MEDIUM, PAID),
            rule(3, "video", Attribute.SOURCE_CATEGORY, "VIDEO", Attribute.MEDIUM, PAID),
            rule(4, "display", Attribute.MEDIUM, "(display|banner|expandable|interstitial|cpm)"),
            rule(5, "organic_social", Attribute.SOURCE_CATEGORY, "SOCIAL"),
            rule(6, "organic_social", Attribute.MEDIUM, "(social|social-network|social-media|sm|social network|social media)"),
            rule(7, "video", Attribute.SOURCE_CATEGORY, "VIDEO"),
            rule(8, "video", Attribute.MEDIUM, ".*video.*"),
            rule(9, "organic_search", Attribute.SOURCE_CATEGORY, "SEARCH"),
            rule(10, "organic_search", Attribute.MEDIUM, "organic"),
            rule(11, "email", Attribute.SOURCE, "(email|e-mail|e_mail|e mail|newsletter)"),
            rule(12, "email", Attribute.MEDIUM, "(email|e-mail|e_mail|e mail|newsletter)"),
            rule(13, "affiliates", Attribute.MEDIUM, "(affiliate|partner|partners)"),
            rule(14, "events", Attribute.MEDIUM, "(event|events|conference|trade-?show|webinar|meetup|field)"),
            rule(15, "referral", Attribute.MEDIUM, "(referral|app|link)"),
            ChannelRule.of(16, FALLBACK, Map.of())));

    private final List<ChannelRule> rules;
    /**
     * Whether any rule reads the campaign's, the content's or the term's value: one no rule reads, or reads only as absent
     * (the expression {@code ""}, as the default's direct rule reads the campaign), keys the memo as {@link #PRESENT}.
     */
    private final boolean readsCampaign;
    private final boolean readsContent;
    private final boolean readsTerm;
    /** The memo key's stand-in for a value no rule reads: not empty (so {@code ""} does not match it), never a cleaned value. */
    private static final String PRESENT = " ";

    private ChannelTaxonomy(List<ChannelRule> rules) {
        this.rules = List.copyOf(rules);
        this.readsCampaign = readsValue(rules, Attribute.CAMPAIGN);
        this.readsContent = readsValue(rules, Attribute.CONTENT);
        this.readsTerm = readsValue(rules, Attribute.TERM);
    }

    private static boolean readsValue(List<ChannelRule> rules, Attribute attribute) {
        return rules.stream().anyMatch(r -> r.expressions().containsKey(attribute) && !r.expressions().get(attribute).isEmpty());
    }

    private static String keyed(String value, boolean read) {
        return read || value == null ? value : PRESENT;
    }

    /** A taxonomy of already validated rules (see {@link ChannelRule#of}); at most {@value #MAX_RULES}. */
    public static ChannelTaxonomy of(List<ChannelRule> rules) {
        if (rules.isEmpty()) {
            throw new TaxonomyException("rules: at least one rule is needed");
        }
        if (rules.size() > MAX_RULES) {
            throw new TaxonomyException("rules: at most " + MAX_RULES + " rules, were " + rules.size());
        }
        return new ChannelTaxonomy(rules);
    }

    public List<ChannelRule> rules() {
        return rules;
    }

    /** Every channel the rules can assign, plus the fallback. */
    public Set<String> channels() {
        Set<String> channels = new TreeSet<>();
        rules.forEach(r -> channels.add(r.channel()));
        channels.add(FALLBACK);
        return Collections.unmodifiableSet(channels);
    }

    /**
     * Classifies a touch. The same UTMs, referrer host and click ids come back again and again, so the channel decision
     * is memoized per taxonomy (bounded; the rules are immutable), keyed by what the rules read: a campaign, content or
     * term whose value no rule reads counts only as being there or not (a touch with UTMs needs a source and a medium to be
     * valid), so thousands of distinct campaigns and contents do not each cost a miss. The campaign, content and term are
     * cleaned per touch.
     */
    public Classification classify(TouchSignals touch) {
        String referrerHost = Utm.hostOf(touch.referrer());
        String pageHost = referrerHost == null ? null : Utm.hostOf(touch.pageUrl());
        Map<String, String> clickIds = touch.clickIds() == null ? Map.of() : touch.clickIds();
        String campaign = Utm.clean(touch.utmCampaign());
        String content = Utm.clean(touch.utmContent());
        String term = Utm.clean(touch.utmTerm());
        Key key = new Key(touch.utmSource(), touch.utmMedium(), keyed(campaign, readsCampaign), keyed(content, readsContent),
                keyed(term, readsTerm), referrerHost, pageHost, clickIds.isEmpty() ? Set.of() : Set.copyOf(clickIds.keySet()));
        Classification decided = memo.get(key, k -> compute(touch.utmSource(), touch.utmMedium(), k.campaign(), k.content(), k.term(),
                referrerHost, pageHost, k.clickIds()));
        return new Classification(decided.channel(), decided.source(), decided.medium(), campaign, content, term, decided.utmValid());
    }

    /** The campaign, content and term as cleaned, or {@link #PRESENT} where no rule reads their value. */
    private record Key(String source, String medium, String campaign, String content, String term,
                       String referrerHost, String pageHost, Set<String> clickIds) {

        /** Bytes this entry holds, roughly: its strings' characters twice over (the key's and the result's), plus overhead. */
        int weight() {
            long chars = length(source) + length(medium) + length(campaign) + length(content) + length(term)
                    + length(referrerHost) + length(pageHost);
            for (String name : clickIds) {
                chars += name.length();
            }
            return (int) Math.min(Integer.MAX_VALUE, 4 * chars + 400);
        }

        private static int length(String s) {
            return s == null ? 0 : s.length();
        }
    }

    /**
     * Bytes of memo per taxonomy: unique long UTMs from a public write key (8 KB each) evict older entries instead of
     * growing the heap of a process every workspace shares.
     */
    static final long MEMO_BYTES = 16L << 20;
    private final Cache<Key, Classification> memo = Caffeine.newBuilder().maximumWeight(MEMO_BYTES)
            .weigher((Key k, Classification c) -> k.weight()).executor(Runnable::run).build();

    /** The memo's current weight in bytes (for tests of its bound). */
    long memoBytes() {
        memo.cleanUp();
        return memo.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** The channel decision; campaign, content and term as the memo's key holds them. */
    private Classification compute(String rawSource, String rawMedium, String campaign, String content, String term,
                                   String referrerHost, String pageHost, Set<String> clickIds) {
        String utmSource = Utm.source(rawSource);
        String utmMedium = Utm.medium(rawMedium);
        boolean hasUtm = utmSource != null || utmMedium != null || campaign != null || content != null || term != null;

        if (referrerHost != null && Utm.sameSite(referrerHost, pageHost)) {
            referrerHost = null; // navigation within the site is no referral
        }
        String source = utmSource;
        String medium = utmMedium;
        if (source == null && medium == null) {
            String[] byClick = clickIdSource(clickIds);
            if (byClick != null) {
                source = byClick[1];
                medium = byClick[2];
            } else if (referrerHost != null) {
                source = Utm.sourceOfHost(referrerHost);
                medium = SourceCategory.of(source) == SourceCategory.SEARCH ? "organic" : "referral";
            }
        }
        TouchAttributes attributes = new TouchAttributes(source, medium, campaign, content, term, referrerHost,
                clickIds, SourceCategory.of(source));
        ChannelRule matched = null;
        for (ChannelRule rule : rules) {
            if (rule.matches(attributes)) {
                matched = rule;
                break;
            }
        }
        String channel = matched == null ? FALLBACK : matched.channel();
        boolean utmValid = !hasUtm || (utmSource != null && utmMedium != null && matched != null && !matched.isCatchAll());
        return new Classification(channel, source, medium, campaign, content, term, utmValid);
    }

    private static String[] clickIdSource(Set<String> clickIds) {
        if (clickIds.isEmpty()) {
            return null;
        }
        for (String[] candidate : CLICK_ID_SOURCES) {
            if (clickIds.contains(candidate[0])) {
                return candidate;
            }
        }
        return null;
    }

    private static ChannelRule rule(int index, String channel, Object... conditions) {
        Map<Attribute, String> map = new EnumMap<>(Attribute.class);
        for (int i = 0; i < conditions.length; i += 2) {
            map.put((Attribute) conditions[i], (String) conditions[i + 1]);
        }
        return ChannelRule.of(index, channel, map);
    }

    /** The rules as plain maps ({@code channel} and the conditions by field name), for storage and APIs. */
    public List<Map<String, String>> toMaps() {
        List<Map<String, String>> out = new ArrayList<>(rules.size());
        for (ChannelRule rule : rules) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            m.put("channel", rule.channel());
            for (Attribute a : Attribute.values()) {
                String e = rule.expressions().get(a);
                if (e != null) {
                    m.put(a.field(), e);
                }
            }
            out.add(m);
        }
        return out;
    }

    /**
     * Parses rules given as maps ({@code channel} plus condition fields by name).
     *
     * @throws TaxonomyException naming the rule index and field of the first problem
     */
    public static ChannelTaxonomy fromMaps(List<Map<String, String>> maps) {
        if (maps == null || maps.isEmpty()) {
            throw new TaxonomyException("rules: at least one rule is needed");
        }
        if (maps.size() > MAX_RULES) {
            throw new TaxonomyException("rules: at most " + MAX_RULES + " rules, were " + maps.size());
        }
        List<ChannelRule> rules = new ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) {
            Map<String, String> m = maps.get(i);
            if (m == null) {
                throw new TaxonomyException("rules[" + i + "]: must be an object");
            }
            Map<Attribute, String> conditions = new EnumMap<>(Attribute.class);
            for (Map.Entry<String, String> e : m.entrySet()) {
                if (e.getKey().equals("channel")) {
                    continue;
                }
                Attribute attribute = attribute(e.getKey());
                if (attribute == null) {
                    throw new TaxonomyException("rules[" + i + "]." + e.getKey() + ": unknown condition; conditions are "
                            + java.util.Arrays.stream(Attribute.values()).map(Attribute::field).toList());
                }
                conditions.put(attribute, e.getValue());
            }
            rules.add(ChannelRule.of(i, m.get("channel"), conditions));
        }
        return new ChannelTaxonomy(rules);
    }

    private static Attribute attribute(String field) {
        for (Attribute a : Attribute.values()) {
            if (a.field().equals(field)) {
                return a;
            }
        }
        return null;
    }
}
