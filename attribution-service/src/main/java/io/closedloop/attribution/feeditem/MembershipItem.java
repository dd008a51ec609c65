package io.closedloop.attribution.feeditem;

import io.closedloop.plumbing.feed.FeedItem;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * An item of identity's {@code memberships} feed (docs/feeds.md), read once per page: the membership table and the
 * rollups (which accounts a page changes) are both written from these records.
 *
 * @param identifier    {@code type:value}
 * @param removed       the identifier no longer exists (kind {@code removed})
 * @param journeyAccount the account its touches count under: identity's account, else the person's own
 *                      ({@code person:<id>}, so that a person with no company has journeys too, V11); null for neither
 */
public record MembershipItem(long seq, String workspace, String identifier, boolean removed, String personId,
                             String journeyAccount) {

    /** Prefix of a person's own account key (B2C). */
    private static final String PERSON_ACCOUNT_PREFIX = "person:";
    private static final String CONTACT = "contact_id:";

    /** The page's memberships; an item without a usable identifier is logged by sequence number and left out. */
    public static List<MembershipItem> all(List<FeedItem> items) {
        List<MembershipItem> memberships = new ArrayList<>(items.size());
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            JsonObject identifier = p.getJsonObject("identifier");
            if (identifier == null || Fields.blank(identifier.getString("type")) || Fields.blank(identifier.getString("value"))) {
                Fields.skip(item, "memberships", "identifier");
                continue;
            }
            String personId = p.getString("personId");
            String accountId = p.getString("accountId");
            memberships.add(new MembershipItem(item.seq(), item.workspace(), identifier.getString("type") + ":" + identifier.getString("value"),
                    "removed".equals(item.kind()), personId,
                    accountId != null ? accountId : personId == null ? null : PERSON_ACCOUNT_PREFIX + personId));
        }
        return memberships;
    }

    /** The CRM contact id this identifier is, or null when it is another type. */
    public String contactId() {
        return identifier.startsWith(CONTACT) ? identifier.substring(CONTACT.length()) : null;
    }
}
