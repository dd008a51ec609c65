package io.closedloop.plumbing.feed;

import java.util.List;

/** A page of a feed and the cursor to ask for the next one; no items means "caught up, poll again". */
public record FeedPage(List<FeedItem> items, String next) {
}
