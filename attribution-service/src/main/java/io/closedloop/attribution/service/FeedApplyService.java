package io.closedloop.attribution.service;

import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies pages of the producers' feeds (docs/feeds.md) to the journey tables, inside the
 * consumer's transaction so the page and the feed position commit together. Each item is its
 * object's whole current state, so an upsert replaces the row; within one page the last item
 * of an object wins (one INSERT ... ON CONFLICT may not touch a row twice). An item that cannot
 * be used (missing id, bad time) is logged by sequence number and skipped; the rest of the page
 * is kept.
 */
@ApplicationScoped
public class FeedApplyService {

    static final String NONE = "(none)";

    /** ingestion `touches`. */
    public Uni<Void> applyTouches(SqlConnection tx, List<FeedItem> items) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            String id = p.getString("id");
            String occurredAt = instant(p.getString("occurredAt"));
            if (blank(id) || occurredAt == null) {
                skip(item, "touches", blank(id) ? "id" : "occurredAt");
                continue;
            }
            JsonArray identifiers = new JsonArray();
            JsonArray given = p.getJsonArray("identifiers", new JsonArray());
            for (int i = 0; i < given.size(); i++) {
                JsonObject identifier = given.getJsonObject(i);
                identifiers.add(identifierKey(identifier));
            }
            String channel = p.getString("channel");
            Object utmValid = p.getValue("utmValid");
            rows.put(item.workspace() + "\u0000" + id, new Row(item.workspace(), id, occurredAt, p.getString("type"),
                    blank(channel) ? NONE : channel, p.getString("source"), p.getString("medium"),
                    p.getString("campaign"), p.getString("content"), identifiers.encode(),
                    utmValid instanceof Boolean b ? b.toString() : null));
        }
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery("""
                        insert into touch (workspace_id, id, occurred_at, type, channel, source, medium, campaign, content, identifiers,
                                           utm_valid)
                        select w, i, o::timestamptz, ty, ch, s, m, ca, co, array(select jsonb_array_elements_text(ids::jsonb)), uv::boolean
                        from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                    $8::text[], $9::text[], $10::text[], $11::text[]) as x(w, i, o, ty, ch, s, m, ca, co, ids, uv)
                        on conflict (workspace_id, id) do update set occurred_at = excluded.occurred_at, type = excluded.type,
                            channel = excluded.channel, source = excluded.source, medium = excluded.medium,
                            campaign = excluded.campaign, content = excluded.content, identifiers = excluded.identifiers,
                            utm_valid = excluded.utm_valid""")
                .execute(columns(rows.values(), 11)).replaceWithVoid();
    }

    /** identity `memberships`: `membership` upserts the identifier's resolution, `removed` deletes it. */
    public Uni<Void> applyMemberships(SqlConnection tx, List<FeedItem> items) {
        Map<String, Row> upserts = new LinkedHashMap<>();
        Map<String, Row> removals = new LinkedHashMap<>();
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            JsonObject identifier = p.getJsonObject("identifier");
            if (identifier == null || blank(identifier.getString("type")) || blank(identifier.getString("value"))) {
                skip(item, "memberships", "identifier");
                continue;
            }
            String key = identifierKey(identifier);
            String rowKey = item.workspace() + "\u0000" + key;
            upserts.remove(rowKey);
            removals.remove(rowKey);
            if ("removed".equals(item.kind())) {
                removals.put(rowKey, new Row(item.workspace(), key));
            } else {
                upserts.put(rowKey, new Row(item.workspace(), key, p.getString("personId"),
                        journeyAccount(p.getString("accountId"), p.getString("personId"))));
            }
        }
        Uni<Void> delete = removals.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        delete from membership m using unnest($1::text[], $2::text[]) as x(w, k)
                        where m.workspace_id = x.w and m.identifier = x.k""")
                .execute(columns(removals.values(), 2)).replaceWithVoid();
        List<Row> contactMemberships = new ArrayList<>();
        removals.values().stream().filter(r -> r.values()[1].startsWith("contact_id:")).forEach(contactMemberships::add);
        upserts.values().stream().filter(r -> r.values()[1].startsWith("contact_id:")).forEach(contactMemberships::add);
        return delete.chain(() -> upserts.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into membership (workspace_id, identifier, person_id, account_id)
                        select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
                        on conflict (workspace_id, identifier) do update
                            set person_id = excluded.person_id, account_id = excluded.account_id""")
                .execute(columns(upserts.values(), 4)).replaceWithVoid())
                // Opportunities without a CRM account follow their first contact role's account (V11).
                .chain(() -> contactMemberships.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        update opportunity o set account_id = (select m.account_id from membership m
                                where m.workspace_id = o.workspace_id and m.identifier = 'contact_id:' || o.contact_ids[1])
                        from unnest($1::text[], $2::text[]) as x(w, k)
                        where o.workspace_id = x.w and o.account_derived and x.k like 'contact_id:%'
                          and o.contact_ids[1] = substr(x.k, 12)""")
                        .execute(columns(contactMemberships, 2)).replaceWithVoid());
    }

    /**
     * The account a membership puts its touches under: the identity's account, else the person's
     * own ('person:' + id), so that a person with no company (B2C) has journeys too (V11).
     */
    public static String journeyAccount(String accountId, String personId) {
        return accountId != null ? accountId : personId == null ? null : PERSON_ACCOUNT_PREFIX + personId;
    }

    /** Prefix of a person's own account key (B2C). */
    public static final String PERSON_ACCOUNT_PREFIX = "person:";

    /** ingestion `crm`: contacts and opportunities; accounts are not needed for journeys. */
    public Uni<Void> applyCrm(SqlConnection tx, List<FeedItem> items) {
        Map<String, Row> contacts = new LinkedHashMap<>();
        Map<String, Row> opportunities = new LinkedHashMap<>();
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            String id = p.getString("id");
            if ("contact".equals(item.kind())) {
                String lead = p.getString("leadCreatedAt");
                if (blank(id) || (lead != null && instant(lead) == null)) {
                    skip(item, "crm contact", blank(id) ? "id" : "leadCreatedAt");
                    continue;
                }
                contacts.put(item.workspace() + "\u0000" + id,
                        new Row(item.workspace(), id, p.getString("accountId"), instant(lead)));
            } else if ("opportunity".equals(item.kind())) {
                String created = instant(p.getString("createdAt"));
                String closed = p.getString("closedAt");
                String amount = p.getString("amount");
                String bad = blank(id) ? "id" : created == null ? "createdAt"
                        : closed != null && instant(closed) == null ? "closedAt"
                        : amount != null && !isDecimal(amount) ? "amount"
                        : blank(p.getString("status")) ? "status" : null;
                if (bad != null) {
                    skip(item, "crm opportunity", bad);
                    continue;
                }
                JsonArray contactIds = new JsonArray();
                JsonArray roles = p.getJsonArray("contactRoles", new JsonArray());
                for (int i = 0; i < roles.size(); i++) {
                    String contactId = roles.getJsonObject(i).getString("contactId");
                    if (!blank(contactId)) {
                        contactIds.add(contactId);
                    }
                }
                opportunities.put(item.workspace() + "\u0000" + id, new Row(item.workspace(), id, p.getString("accountId"),
                        amount, p.getString("currency"), created, p.getString("status"), instant(closed), contactIds.encode(),
                        stageHistory(p).encode(), contactRoles(p).encode()));
            }
        }
        Uni<Void> contactWrite = contacts.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into contact (workspace_id, id, account_id, lead_created_at)
                        select w, i, a, l::timestamptz from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as x(w, i, a, l)
                        on conflict (workspace_id, id) do update
                            set account_id = excluded.account_id, lead_created_at = excluded.lead_created_at""")
                .execute(columns(contacts.values(), 4)).replaceWithVoid();
        return contactWrite.chain(() -> opportunities.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into opportunity (workspace_id, id, account_id, amount, currency, created_at, status, closed_at,
                                                 contact_ids, account_derived, stage_history, contact_roles)
                        select w, i, coalesce(a, (select m.account_id from membership m where m.workspace_id = w
                                                    and m.identifier = 'contact_id:' || (cs::jsonb ->> 0))),
                               am::numeric, cu, cr::timestamptz, st, cl::timestamptz,
                               array(select jsonb_array_elements_text(cs::jsonb)), a is null, sh::jsonb, ro::jsonb
                        from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                    $8::text[], $9::text[], $10::text[], $11::text[]) as x(w, i, a, am, cu, cr, st, cl, cs, sh, ro)
                        on conflict (workspace_id, id) do update set account_id = excluded.account_id, amount = excluded.amount,
                            currency = excluded.currency, created_at = excluded.created_at, status = excluded.status,
                            closed_at = excluded.closed_at, contact_ids = excluded.contact_ids,
                            account_derived = excluded.account_derived, stage_history = excluded.stage_history,
                            contact_roles = excluded.contact_roles""")
                .execute(columns(opportunities.values(), 11)).replaceWithVoid());
    }

    /** An opportunity's stages that name a stage and a time, times normalized (the account view and data quality read them). */
    private static JsonArray stageHistory(JsonObject opportunity) {
        JsonArray stages = new JsonArray();
        for (Object o : opportunity.getJsonArray("stageHistory", new JsonArray())) {
            if (o instanceof JsonObject s && !blank(s.getString("stage")) && instant(s.getString("enteredAt")) != null) {
                stages.add(new JsonObject().put("stage", s.getString("stage")).put("enteredAt", instant(s.getString("enteredAt"))));
            }
        }
        return stages;
    }

    /** An opportunity's contact roles that name a contact, with their role names. */
    private static JsonArray contactRoles(JsonObject opportunity) {
        JsonArray roles = new JsonArray();
        for (Object o : opportunity.getJsonArray("contactRoles", new JsonArray())) {
            if (o instanceof JsonObject r && !blank(r.getString("contactId"))) {
                roles.add(new JsonObject().put("contactId", r.getString("contactId")).put("role", r.getString("role")));
            }
        }
        return roles;
    }

    /** "type:value", the form touch.identifiers and membership.identifier share. */
    static String identifierKey(JsonObject identifier) {
        return identifier.getString("type") + ":" + identifier.getString("value");
    }

    private record Row(String... values) {
    }

    /** Transposes rows into one text[] per column, for unnest. */
    private static Tuple columns(Iterable<Row> rows, int width) {
        List<List<String>> columns = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            columns.add(new ArrayList<>());
        }
        for (Row row : rows) {
            for (int c = 0; c < width; c++) {
                columns.get(c).add(row.values()[c]);
            }
        }
        Tuple tuple = Tuple.tuple();
        for (List<String> column : columns) {
            tuple.addArrayOfString(column.toArray(new String[0]));
        }
        return tuple;
    }

    /** The instant as ISO-8601 UTC, or null when absent or unparseable. */
    private static String instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text).toString();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static boolean isDecimal(String text) {
        try {
            new BigDecimal(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static void skip(FeedItem item, String stream, String field) {
        Log.warnf("%s item seq %d of workspace %s skipped: unusable %s", stream, item.seq(), item.workspace(), field);
    }
}
