package io.closedloop.ingestion.taxonomy;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * UTM normalization (DESIGN §3 "Channel taxonomy"): values are trimmed and lower-cased, empty
 * values become absent, and aliases are merged ({@code fb}, {@code facebook.com} →
 * {@code facebook}; {@code e-mail} → {@code email}). Also turns a referrer host into a source.
 */
public final class Utm {

    private static final Map<String, String> SOURCE_ALIASES = Map.ofEntries(
            Map.entry("fb", "facebook"), Map.entry("facebook ads", "facebook"), Map.entry("meta", "facebook"),
            Map.entry("ig", "instagram"),
            Map.entry("li", "linkedin"), Map.entry("linked_in", "linkedin"), Map.entry("linkedin ads", "linkedin"),
            Map.entry("tw", "twitter"), Map.entry("x", "twitter"),
            Map.entry("yt", "youtube"),
            Map.entry("adwords", "google"), Map.entry("google ads", "google"), Map.entry("googleads", "google"),
            Map.entry("google-ads", "google"), Map.entry("google_ads", "google"),
            Map.entry("microsoft ads", "bing"), Map.entry("microsoft", "bing"), Map.entry("msn", "bing"),
            Map.entry("e-mail", "email"), Map.entry("e_mail", "email"), Map.entry("e mail", "email"));

    private static final Map<String, String> MEDIUM_ALIASES = Map.ofEntries(
            Map.entry("e-mail", "email"), Map.entry("e_mail", "email"), Map.entry("e mail", "email"), Map.entry("mail", "email"),
            Map.entry("paid social", "paid_social"), Map.entry("paid-social", "paid_social"), Map.entry("paidsocial", "paid_social"),
            Map.entry("social media", "social"), Map.entry("social-media", "social"), Map.entry("social_media", "social"),
            Map.entry("social network", "social"), Map.entry("social-network", "social"), Map.entry("sm", "social"),
            Map.entry("cost-per-click", "cpc"), Map.entry("cost_per_click", "cpc"), Map.entry("cost per click", "cpc"),
            Map.entry("affiliates", "affiliate"), Map.entry("organic search", "organic"), Map.entry("organic-search", "organic"));

    /** Hosts (without www.) whose traffic is one well-known source, matched by suffix. */
    private static final Map<String, String> HOST_SOURCES = Map.ofEntries(
            Map.entry("facebook.com", "facebook"), Map.entry("fb.com", "facebook"), Map.entry("fb.me", "facebook"),
            Map.entry("instagram.com", "instagram"),
            Map.entry("linkedin.com", "linkedin"), Map.entry("lnkd.in", "linkedin"),
            Map.entry("twitter.com", "twitter"), Map.entry("t.co", "twitter"), Map.entry("x.com", "twitter"),
            Map.entry("youtube.com", "youtube"), Map.entry("youtu.be", "youtube"),
            Map.entry("bing.com", "bing"), Map.entry("duckduckgo.com", "duckduckgo"), Map.entry("ecosia.org", "ecosia"),
            Map.entry("baidu.com", "baidu"), Map.entry("search.yahoo.com", "yahoo"), Map.entry("yahoo.com", "yahoo"),
            Map.entry("reddit.com", "reddit"), Map.entry("pinterest.com", "pinterest"), Map.entry("tiktok.com", "tiktok"),
            Map.entry("vimeo.com", "vimeo"), Map.entry("quora.com", "quora"), Map.entry("news.ycombinator.com", "hacker news"),
            Map.entry("chatgpt.com", "chatgpt"), Map.entry("chat.openai.com", "chatgpt"), Map.entry("perplexity.ai", "perplexity"));

    /** google.com, google.co.uk, google.de...; yandex.ru...; a country-coded search engine is one source. */
    private static final Pattern COUNTRY_CODED = Pattern.compile("(?:.*\\.)?(google|yandex|pinterest|amazon|ebay)\\.(?:com?\\.)?[a-z]{2,3}");

    private static final Pattern HOST_PREFIXES = Pattern.compile("^(?:www\\d?|m|l|lm|mobile|touch)\\.");

    private Utm() {
    }

    /** Trimmed, lower-cased; null when absent or blank. */
    public static String clean(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip();
        return s.isEmpty() ? null : s.toLowerCase(Locale.ROOT);
    }

    public static String source(String raw) {
        String s = clean(raw);
        if (s == null) {
            return null;
        }
        String alias = SOURCE_ALIASES.get(s);
        if (alias != null) {
            return alias;
        }
        if (s.indexOf('.') > 0 && s.indexOf(' ') < 0) {
            return sourceOfHost(s.startsWith("http") ? hostOf(s) : s);
        }
        return s;
    }

    public static String medium(String raw) {
        String s = clean(raw);
        if (s == null) {
            return null;
        }
        return MEDIUM_ALIASES.getOrDefault(s, s);
    }

    /** The source a referrer host stands for: {@code www.google.co.uk} → {@code google}; an unknown host → itself without {@code www.}. */
    public static String sourceOfHost(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        h = HOST_PREFIXES.matcher(h).replaceFirst("");
        var country = COUNTRY_CODED.matcher(h);
        if (country.matches()) {
            return country.group(1);
        }
        for (String candidate = h; candidate != null; candidate = parent(candidate)) {
            String known = HOST_SOURCES.get(candidate);
            if (known != null) {
                return known;
            }
        }
        return h;
    }

    /** The host of a URL, lower-cased; null when it has none or does not parse. */
    public static String hostOf(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        try {
            String host = URI.create(url.strip()).getHost();
            return host == null || host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            // Not a strict URI (spaces, unescaped characters): take what is between "//" and the next "/", "?" or "#".
            int start = url.indexOf("//");
            if (start < 0) {
                return null;
            }
            int end = start + 2;
            while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            String host = url.substring(start + 2, end);
            int at = host.lastIndexOf('@');
            host = at >= 0 ? host.substring(at + 1) : host;
            int colon = host.indexOf(':');
            host = colon >= 0 ? host.substring(0, colon) : host;
            return host.isEmpty() ? null : host.toLowerCase(Locale.ROOT);
        }
    }

    /** Whether two hosts are the same site ({@code www.acme.com} and {@code acme.com}). */
    public static boolean sameSite(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return HOST_PREFIXES.matcher(a).replaceFirst("").equals(HOST_PREFIXES.matcher(b).replaceFirst(""));
    }

    private static String parent(String host) {
        int dot = host.indexOf('.');
        return dot < 0 || host.indexOf('.', dot + 1) < 0 ? null : host.substring(dot + 1);
    }
}
