package io.closedloop.attribution.feeditem;

import io.closedloop.plumbing.feed.FeedItem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * An item of ingestion's {@code touches} feed (docs/feeds.md), read once per page into what attribution keeps of it:
 * the rollups (which accounts a page changes) and the touch table are both written from these records.
 *
 * @param occurredAt  ISO-8601 in UTC, as PostgreSQL reads it
 * @param identifiers each as {@code type:value}, the form touch.identifiers and membership.identifier share
 * @param utmValid    null when the item does not say
 */
public record TouchItem(long seq, String workspace, String id, String occurredAt, String type, String channel, String source,
                        String medium, String campaign, String content, List<String> identifiers, Boolean utmValid) {

    /** The page's touches; an item without an id or a readable time is logged by sequence number and left out. */
    public static List<TouchItem> all(List<FeedItem> items) {
        List<TouchItem> touches = new ArrayList<>(items.size());
        for (FeedItem item : items) {
            TouchItem touch = of(item);
            if (touch != null) {
                touches.add(touch);
            }
        }
        return touches;
    }

    static TouchItem of(FeedItem item) {
        JsonObject p = item.payload();
        String id = p.getString("id");
        String occurredAt = Fields.instant(p.getString("occurredAt"));
        if (Fields.blank(id) || occurredAt == null) {
            Fields.skip(item, "touches", Fields.blank(id) ? "id" : "occurredAt");
            return null;
        }
        List<String> identifiers = new ArrayList<>();
        JsonArray given = p.getJsonArray("identifiers", new JsonArray());
        for (int i = 0; i < given.size(); i++) {
            JsonObject identifier = given.getJsonObject(i);
            identifiers.add(identifier.getString("type") + ":" + identifier.getString("value"));
        }
        return new TouchItem(item.seq(), item.workspace(), id, occurredAt, p.getString("type"), p.getString("channel"),
                p.getString("source"), p.getString("medium"), p.getString("campaign"), p.getString("content"),
                List.copyOf(identifiers), p.getValue("utmValid") instanceof Boolean valid ? valid : null);
    }
}
