package io.closedloop.attribution.service;

import io.closedloop.attribution.feeditem.Fields;
import io.closedloop.plumbing.feed.FeedItem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reports need from the feeds beyond journeys (docs/feeds.md): ingestion `revenue` and
 * `spend` into their own tables (a touch's utmValid and an opportunity's stage history and contact
 * roles are written with the row itself, by FeedApplyService). Same rules as
 * FeedApplyService: one upsert per table per page, the last item of an object wins, an unusable
 * item is logged by sequence number and skipped.
 */
@ApplicationScoped
public class ReportFeedApply {

    /** ingestion `revenue`. */
    public Uni<Void> applyRevenue(SqlConnection tx, List<FeedItem> items) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            String id = p.getString("id");
            String amount = p.getString("amount");
            String at = Fields.instant(p.getString("occurredAt"));
            String bad = Fields.blank(id) ? "id" : !Fields.isDecimal(amount) ? "amount" : at == null ? "occurredAt" : null;
            if (bad != null) {
                Fields.skip(item, "revenue", bad);
                continue;
            }
            rows.put(item.workspace() + "\u0000" + id, new String[] {item.workspace(), id, p.getString("accountId"),
                    p.getString("opportunityId"), amount, p.getString("currency"), at});
        }
        return rows.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into revenue (workspace_id, id, account_id, opportunity_id, amount, currency, occurred_at)
                        select w, i, a, o, am::numeric, cu, at::timestamptz
                        from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                            as x(w, i, a, o, am, cu, at)
                        on conflict (workspace_id, id) do update set account_id = excluded.account_id,
                            opportunity_id = excluded.opportunity_id, amount = excluded.amount,
                            currency = excluded.currency, occurred_at = excluded.occurred_at""")
                .execute(columns(rows.values(), 7)).replaceWithVoid();
    }

    /** ingestion `spend`. */
    public Uni<Void> applySpend(SqlConnection tx, List<FeedItem> items) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (FeedItem item : items) {
            JsonObject p = item.payload();
            String id = p.getString("id");
            String amount = p.getString("amount");
            String bad = Fields.blank(id) ? "id" : !Fields.isDate(p.getString("date")) ? "date"
                    : Fields.blank(p.getString("channel")) ? "channel" : !Fields.isDecimal(amount) ? "amount" : null;
            if (bad != null) {
                Fields.skip(item, "spend", bad);
                continue;
            }
            rows.put(item.workspace() + "\u0000" + id, new String[] {item.workspace(), id, p.getString("date"),
                    p.getString("channel"), p.getString("source"), p.getString("medium"), p.getString("campaign"),
                    amount, p.getString("currency")});
        }
        return rows.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into spend (workspace_id, id, day, channel, source, medium, campaign, amount, currency)
                        select w, i, d::date, ch, s, m, ca, am::numeric, cu
                        from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                    $8::text[], $9::text[]) as x(w, i, d, ch, s, m, ca, am, cu)
                        on conflict (workspace_id, id) do update set day = excluded.day, channel = excluded.channel,
                            source = excluded.source, medium = excluded.medium, campaign = excluded.campaign,
                            amount = excluded.amount, currency = excluded.currency""")
                .execute(columns(rows.values(), 9))
                // Spend is part of the performance report: its cached answers (ReportCache) go with the rollups' version.
                .chain(() -> tx.preparedQuery("update rollup_state set updated_at = now() where workspace_id = any($1)")
                        .execute(Tuple.of(rows.values().stream().map(r -> r[0]).distinct().toArray(String[]::new))))
                .replaceWithVoid();
    }

    /** Transposes rows into one text[] per column, for unnest. */
    private static Tuple columns(Iterable<String[]> rows, int width) {
        List<List<String>> columns = new ArrayList<>();
        for (int c = 0; c < width; c++) {
            columns.add(new ArrayList<>());
        }
        for (String[] row : rows) {
            for (int c = 0; c < width; c++) {
                columns.get(c).add(row[c]);
            }
        }
        Tuple tuple = Tuple.tuple();
        for (List<String> column : columns) {
            tuple.addArrayOfString(column.toArray(new String[0]));
        }
        return tuple;
    }
}
