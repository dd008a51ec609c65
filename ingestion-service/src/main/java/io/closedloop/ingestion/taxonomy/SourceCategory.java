package io.closedloop.ingestion.taxonomy;

import java.util.HashMap;
import java.util.Map;

/** What kind of site a (normalized) source is, as GA4's source categories: the rules can match on it. */
public enum SourceCategory {
    SEARCH, SOCIAL, VIDEO, SHOPPING;

    private static final Map<String, SourceCategory> KNOWN = new HashMap<>();

    static {
        for (String s : new String[]{"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia", "ask", "naver",
                "aol", "startpage", "qwant", "brave", "seznam", "sogou", "so.com", "daum", "search.brave.com"}) {
            KNOWN.put(s, SEARCH);
        }
        for (String s : new String[]{"facebook", "instagram", "linkedin", "twitter", "reddit", "pinterest", "tiktok",
                "snapchat", "quora", "tumblr", "threads", "threads.net", "mastodon", "bsky.app", "bluesky", "discord",
                "whatsapp", "messenger", "vk", "weibo", "xing", "hacker news", "producthunt", "producthunt.com", "slack"}) {
            KNOWN.put(s, SOCIAL);
        }
        for (String s : new String[]{"youtube", "vimeo", "twitch", "dailymotion", "wistia", "vidyard", "loom"}) {
            KNOWN.put(s, VIDEO);
        }
        for (String s : new String[]{"amazon", "ebay", "etsy", "shopify", "walmart", "google shopping", "shopping"}) {
            KNOWN.put(s, SHOPPING);
        }
    }

    /** The category of a normalized source ({@link Utm#source}); null when it is none of these. */
    public static SourceCategory of(String source) {
        return source == null ? null : KNOWN.get(source);
    }
}
