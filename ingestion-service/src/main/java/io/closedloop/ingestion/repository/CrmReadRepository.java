package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.CrmAccount;
import io.closedloop.ingestion.CrmOpportunity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads of stored CRM accounts and opportunities for the federated entities: each method is one statement for any number
 * of ids, never one per id (a gateway resolves many entities at once).
 */
@ApplicationScoped
public class CrmReadRepository {

    private static final String OPPORTUNITY_COLUMNS = "o.id, o.account_id, o.name, o.amount, rtrim(o.currency) as currency, o.stage,"
            + " o.status, o.created_at, o.closed_at, o.stage_history::text as stage_history, o.contact_roles::text as contact_roles";

    static final String ACCOUNTS = "select id, industry, created_at from crm_account where workspace_id = $1 and id = any($2::text[])";

    static final String OPPORTUNITIES = "select " + OPPORTUNITY_COLUMNS
            + " from crm_opportunity o where o.workspace_id = $1 and o.id = any($2::text[])";

    /**
     * For each account: how many opportunities it has and how many precede the position ($3, $4) (the cursor's, none
     * without one), and the page after that position, newest created first then by id, at most $5 of them (index
     * crm_opportunity_account, V6). An account without opportunities (or past its last) gives one row with a null id.
     */
    static final String PAGES = """
            select q.account_id as page_of, c.total, c.before, %s
            from unnest($2::text[]) with ordinality as q(account_id, ord)
            cross join lateral (
                select count(*) as total,
                       count(*) filter (where (c.created_at, c.id) >= (coalesce($3::timestamptz, 'infinity'), coalesce($4::text, ''))) as before
                from crm_opportunity c where c.workspace_id = $1 and c.account_id = q.account_id) c
            left join lateral (
                select * from crm_opportunity p
                where p.workspace_id = $1 and p.account_id = q.account_id
                  and (p.created_at, p.id) < (coalesce($3::timestamptz, 'infinity'), coalesce($4::text, ''))
                order by p.created_at desc, p.id desc
                limit $5) o on true
            order by q.ord, o.created_at desc, o.id desc""".formatted(OPPORTUNITY_COLUMNS);

    private final Pool pool;

    public CrmReadRepository(Pool pool) {
        this.pool = pool;
    }

    /** The workspace's accounts among {@code ids}, by id; unknown ids are absent. */
    public Uni<Map<String, CrmAccount>> accounts(String workspace, Collection<String> ids) {
        return pool.preparedQuery(ACCOUNTS).execute(Tuple.of(workspace, ids.toArray(String[]::new))).map(rows -> {
            Map<String, CrmAccount> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getString("id"), new CrmAccount(r.getString("id"), r.getString("industry"), r.getOffsetDateTime("created_at")));
            }
            return out;
        });
    }

    /** The workspace's opportunities among {@code ids}, by id; unknown ids are absent. */
    public Uni<Map<String, CrmOpportunity>> opportunities(String workspace, Collection<String> ids) {
        return pool.preparedQuery(OPPORTUNITIES).execute(Tuple.of(workspace, ids.toArray(String[]::new))).map(rows -> {
            Map<String, CrmOpportunity> out = new HashMap<>();
            for (Row r : rows) {
                out.put(r.getString("id"), opportunity(r));
            }
            return out;
        });
    }

    /**
     * A page of each account's opportunities (newest created first, then by id descending): at most {@code limit} of those
     * after the one created at {@code afterCreatedAt} with id {@code afterId}, or from the newest when {@code afterCreatedAt}
     * is null; with the account's count and how many precede the page. Keyed by account id, one for every id asked.
     */
    public Uni<Map<String, CrmOpportunity.Page>> pages(String workspace, Collection<String> accountIds, OffsetDateTime afterCreatedAt,
                                                       String afterId, int limit) {
        Tuple args = Tuple.tuple(Arrays.asList(workspace, accountIds.toArray(String[]::new), afterCreatedAt, afterId, limit));
        return pool.preparedQuery(PAGES).execute(args).map(rows -> {
            Map<String, List<CrmOpportunity>> items = new HashMap<>();
            Map<String, CrmOpportunity.Page> out = new HashMap<>();
            for (Row r : rows) {
                String account = r.getString("page_of");
                List<CrmOpportunity> list = items.computeIfAbsent(account, a -> new ArrayList<>());
                if (!out.containsKey(account)) {
                    out.put(account, new CrmOpportunity.Page(list, r.getLong("total").intValue(), r.getLong("before").intValue()));
                }
                if (r.getString("id") != null) {
                    list.add(opportunity(r));
                }
            }
            return out;
        });
    }

    private static CrmOpportunity opportunity(Row r) {
        List<CrmOpportunity.StageChange> history = new ArrayList<>();
        String stages = r.getString("stage_history");
        if (stages != null) {
            for (Object o : new JsonArray(stages)) {
                JsonObject change = (JsonObject) o;
                history.add(new CrmOpportunity.StageChange(change.getString("stage"), change.getString("enteredAt")));
            }
        }
        List<CrmOpportunity.ContactRole> roles = new ArrayList<>();
        String contactRoles = r.getString("contact_roles");
        if (contactRoles != null) {
            for (Object o : new JsonArray(contactRoles)) {
                JsonObject role = (JsonObject) o;
                roles.add(new CrmOpportunity.ContactRole(role.getString("contactId"), role.getString("role")));
            }
        }
        return new CrmOpportunity(r.getString("id"), r.getString("account_id"), r.getString("name"), r.getBigDecimal("amount"),
                r.getString("currency"), r.getString("stage"), r.getString("status"), r.getOffsetDateTime("created_at"),
                r.getOffsetDateTime("closed_at"), history, roles);
    }
}
