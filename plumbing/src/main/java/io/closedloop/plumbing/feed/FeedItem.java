package io.closedloop.plumbing.feed;

import io.vertx.core.json.JsonObject;

/**
 * One item of a change feed (DESIGN §9): its stream sequence, its workspace, what kind of change it
 * is, and the payload the producer documents for that stream.
 */
public record FeedItem(long seq, String workspace, String kind, JsonObject payload) {
}
