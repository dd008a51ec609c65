package io.closedloop.plumbing.feed;

import java.util.List;

/**
 * A page of a feed and the cursor to ask for the next one. {@code walked} is how many items of the stream the page
 * passed over, its partition's and the others' (docs/feeds.md "Partitions"): fewer than the limit asked for means the
 * producer had nothing more at that moment, whatever the number of items of the partition.
 */
public record FeedPage(List<FeedItem> items, String next, int walked) {

    /** True when the page walked as many items as asked for: more may be waiting. */
    public boolean full(int limit) {
        return walked >= limit;
    }
}
