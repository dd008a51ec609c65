package io.closedloop.attribution.service;

import io.closedloop.attribution.feeditem.CrmItem;
import io.closedloop.attribution.feeditem.Fields;
import io.closedloop.attribution.feeditem.MembershipItem;
import io.closedloop.attribution.feeditem.TouchItem;
import io.closedloop.attribution.repository.JourneyRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies pages of the producers' feeds (docs/feeds.md) to the journey tables, inside the
 * consumer's transaction so the page and the feed position commit together. Each item is its
 * object's whole current state, so an upsert replaces the row; within one page the last item
 * of an object wins (one INSERT ... ON CONFLICT may not touch a row twice). The items come read
 * into records (feeditem/): an item that cannot be used (missing id, bad time) was logged by
 * sequence number and left out there; the rest of the page is kept.
 */
@ApplicationScoped
public class FeedApplyService {

    static final String NONE = "(none)";

    /** ingestion `touches`, read once per page (TouchItem). */
    public Uni<Void> applyTouches(SqlConnection tx, List<TouchItem> items) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (TouchItem t : items) {
            rows.put(t.workspace() + "\u0000" + t.id(), new Row(t.workspace(), t.id(), t.occurredAt(), t.type(),
                    Fields.blank(t.channel()) ? NONE : t.channel(), t.source(), t.medium(), t.campaign(), t.content(),
                    new JsonArray(t.identifiers()).encode(), t.utmValid() == null ? null : t.utmValid().toString()));
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
                .execute(columns(rows.values(), 11)).replaceWithVoid()
                .chain(() -> JourneyRepository.changed(tx, workspaces(rows.values())));
    }

    /** identity `memberships`: `membership` upserts the identifier's resolution, `removed` deletes it. */
    public Uni<Void> applyMemberships(SqlConnection tx, List<MembershipItem> items) {
        Map<String, Row> upserts = new LinkedHashMap<>();
        Map<String, Row> removals = new LinkedHashMap<>();
        for (MembershipItem m : items) {
            String rowKey = m.workspace() + "\u0000" + m.identifier();
            upserts.remove(rowKey);
            removals.remove(rowKey);
            if (m.removed()) {
                removals.put(rowKey, new Row(m.workspace(), m.identifier()));
            } else {
                upserts.put(rowKey, new Row(m.workspace(), m.identifier(), m.personId(), m.journeyAccount()));
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
                        .execute(columns(contactMemberships, 2)).replaceWithVoid()
                        .chain(() -> JourneyRepository.dealsChanged(tx, workspaces(contactMemberships))))
                .chain(() -> JourneyRepository.changed(tx, items.stream().map(MembershipItem::workspace).distinct().toList()));
    }

    /** ingestion `crm`: contacts and opportunities, read once per page (CrmItem); accounts are not needed for journeys. */
    public Uni<Void> applyCrm(SqlConnection tx, List<CrmItem> items) {
        Map<String, Row> contacts = new LinkedHashMap<>();
        Map<String, Row> opportunities = new LinkedHashMap<>();
        for (CrmItem item : items) {
            if (item instanceof CrmItem.Contact c) {
                contacts.put(c.workspace() + "\u0000" + c.id(), new Row(c.workspace(), c.id(), c.accountId(), c.leadCreatedAt()));
            } else if (item instanceof CrmItem.Opportunity o) {
                opportunities.put(o.workspace() + "\u0000" + o.id(), new Row(o.workspace(), o.id(), o.accountId(), o.amount(),
                        o.currency(), o.createdAt(), o.status(), o.closedAt(), new JsonArray(o.contactIds()).encode(),
                        o.stageHistory(), o.contactRoles()));
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
                .execute(columns(opportunities.values(), 11)).replaceWithVoid())
                // A contact's lead-creation time and account are part of its opportunities as journeys read them
                // (journey_opportunity): a contact page moves the deals' version too.
                .chain(() -> {
                    List<Row> changed = new ArrayList<>(contacts.values());
                    changed.addAll(opportunities.values());
                    return JourneyRepository.dealsChanged(tx, workspaces(changed));
                });
    }

    /** "type:value", the form touch.identifiers and membership.identifier share. */
    static String identifierKey(JsonObject identifier) {
        return identifier.getString("type") + ":" + identifier.getString("value");
    }

    private record Row(String... values) {
    }

    /** The workspaces of rows whose first value is the workspace. */
    private static List<String> workspaces(Iterable<Row> rows) {
        Set<String> workspaces = new LinkedHashSet<>();
        rows.forEach(r -> workspaces.add(r.values()[0]));
        return List.copyOf(workspaces);
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
}
