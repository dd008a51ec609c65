package io.closedloop.plumbing.feed;

import java.util.List;

/**
 * A page of a feed and the cursor to ask for the next one. {@code walked} is how many items of the stream the page
 * passed over, its partition's and the others' (docs/feeds.md "Partitions"): fewer than the limit asked for means the
 * producer had nothing more at that moment, whatever the number of items of the partition.
 */
public record FeedPage(List<FeedItem> items, String next, int walked, boolean more) {

    /** A page of the HTTP feed, which says nothing more than how much it walked. */
    public FeedPage(List<FeedItem> items, String next, int walked) {
        this(items, next, walked, false);
    }

    /** True when the page walked as many items as asked for, or its source knows more is waiting (a topic's end). */
    public boolean full(int limit) {
        return more || walked >= limit;
    }
}
