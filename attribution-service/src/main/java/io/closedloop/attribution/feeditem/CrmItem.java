package io.closedloop.attribution.feeditem;

import io.closedloop.plumbing.feed.FeedItem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * An item of ingestion's {@code crm} feed that journeys need (docs/feeds.md; accounts are not: a journey's account is
 * identity's), read once per page: the contact and opportunity tables and the rollups are written from these records.
 * Times are ISO-8601 in UTC, as PostgreSQL reads them.
 */
public sealed interface CrmItem permits CrmItem.Contact, CrmItem.Opportunity {

    String workspace();

    /** A contact: the moment it became a lead is its opportunities' LC milestone. */
    record Contact(long seq, String workspace, String id, String accountId, String leadCreatedAt) implements CrmItem {
    }

    /**
     * An opportunity's whole state.
     *
     * @param contactIds   its contact roles' contacts, in order (the first one's account is its own when it names none)
     * @param stageHistory JSON: the stages that name a stage and a time
     * @param contactRoles JSON: the roles that name a contact, with their role names
     */
    record Opportunity(long seq, String workspace, String id, String accountId, String amount, String currency, String createdAt,
                       String status, String closedAt, List<String> contactIds, String stageHistory, String contactRoles)
            implements CrmItem {
    }

    /** The page's contacts and opportunities; an item with an unusable field is logged (naming it) and left out. */
    static List<CrmItem> all(List<FeedItem> items) {
        List<CrmItem> out = new ArrayList<>(items.size());
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            String id = p.getString("id");
            if ("contact".equals(item.kind())) {
                String lead = p.getString("leadCreatedAt");
                if (Fields.blank(id) || (lead != null && Fields.instant(lead) == null)) {
                    Fields.skip(item, "crm contact", Fields.blank(id) ? "id" : "leadCreatedAt");
                    continue;
                }
                out.add(new Contact(item.seq(), item.workspace(), id, p.getString("accountId"), Fields.instant(lead)));
            } else if ("opportunity".equals(item.kind())) {
                String created = Fields.instant(p.getString("createdAt"));
                String closed = p.getString("closedAt");
                String amount = p.getString("amount");
                String bad = Fields.blank(id) ? "id" : created == null ? "createdAt"
                        : closed != null && Fields.instant(closed) == null ? "closedAt"
                        : amount != null && !Fields.isDecimal(amount) ? "amount"
                        : Fields.blank(p.getString("status")) ? "status" : null;
                if (bad != null) {
                    Fields.skip(item, "crm opportunity", bad);
                    continue;
                }
                List<String> contactIds = new ArrayList<>();
                JsonArray roles = new JsonArray();
                for (Object o : p.getJsonArray("contactRoles", new JsonArray())) {
                    if (o instanceof JsonObject r && !Fields.blank(r.getString("contactId"))) {
                        contactIds.add(r.getString("contactId"));
                        roles.add(new JsonObject().put("contactId", r.getString("contactId")).put("role", r.getString("role")));
                    }
                }
                JsonArray stages = new JsonArray();
                for (Object o : p.getJsonArray("stageHistory", new JsonArray())) {
                    if (o instanceof JsonObject s && !Fields.blank(s.getString("stage")) && Fields.instant(s.getString("enteredAt")) != null) {
                        stages.add(new JsonObject().put("stage", s.getString("stage")).put("enteredAt", Fields.instant(s.getString("enteredAt"))));
                    }
                }
                out.add(new Opportunity(item.seq(), item.workspace(), id, p.getString("accountId"), amount, p.getString("currency"),
                        created, p.getString("status"), Fields.instant(closed), List.copyOf(contactIds), stages.encode(), roles.encode()));
            }
        }
        return out;
    }
}
