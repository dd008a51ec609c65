package io.closedloop.ingestion.repository;

import io.closedloop.ingestion.crm.Conversion;
import io.closedloop.ingestion.crm.Fields;
import io.closedloop.ingestion.crm.ItemResult.Status;
import io.closedloop.ingestion.crm.Records;
import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.segment.Json;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upserts of CRM objects, revenue, spend, offline touches and exchange rates, each a batch
 * statement over {@code unnest} arrays inside the caller's transaction. A row changes (and gets a
 * new seq and xid, hence a feed item) only when the upsert changes it: {@code on conflict ... do
 * update ... where (old) is distinct from (new)}. Fields left out (null) keep their stored value.
 * Each method emits the status of the ids it stored: CREATED or UPDATED; ids it does not return
 * were UNCHANGED.
 */
@ApplicationScoped
public class CrmRepository {

    static final String ACCOUNTS = """
            insert into crm_account as t (workspace_id, id, name, domains, industry, created_at)
            select $1, u.id, u.name, u.domains::text[], u.industry, u.created_at
            from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) as u(id, name, domains, industry, created_at)
            on conflict (workspace_id, id) do update set
                name = coalesce(excluded.name, t.name),
                domains = case when cardinality(excluded.domains) = 0 then t.domains else excluded.domains end,
                industry = coalesce(excluded.industry, t.industry),
                created_at = coalesce(excluded.created_at, t.created_at),
                seq = nextval('crm_seq'), xid = pg_current_xact_id(), updated_at = now()
            where (t.name, t.domains, t.industry, t.created_at) is distinct from (coalesce(excluded.name, t.name),
                case when cardinality(excluded.domains) = 0 then t.domains else excluded.domains end,
                coalesce(excluded.industry, t.industry), coalesce(excluded.created_at, t.created_at))
            returning t.id, (t.xmax = 0) as created""";

    static final String CONTACTS = """
            with up as (
                insert into crm_contact as t (workspace_id, id, email, phone, account_id, created_at, lead_created_at)
                select $1, u.id, u.email, u.phone, u.account_id, u.created_at, u.lead_created_at
                from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
                     as u(id, email, phone, account_id, created_at, lead_created_at)
                on conflict (workspace_id, id) do update set
                    email = coalesce(excluded.email, t.email), phone = coalesce(excluded.phone, t.phone),
                    account_id = coalesce(excluded.account_id, t.account_id), created_at = coalesce(excluded.created_at, t.created_at),
                    lead_created_at = coalesce(excluded.lead_created_at, t.lead_created_at),
                    seq = nextval('crm_seq'), xid = pg_current_xact_id(), updated_at = now()
                where (t.email, t.phone, t.account_id, t.created_at, t.lead_created_at) is distinct from
                      (coalesce(excluded.email, t.email), coalesce(excluded.phone, t.phone), coalesce(excluded.account_id, t.account_id),
                       coalesce(excluded.created_at, t.created_at), coalesce(excluded.lead_created_at, t.lead_created_at))
                returning t.id, t.email, t.phone, t.account_id, t.created_at, (t.xmax = 0) as created
            ), facts as (
                insert into identity_fact as f (workspace_id, id, origin, kind, occurred_at, identifiers, account)
                select $1, 'contact:' || up.id, 'crm', 'link', coalesce(up.created_at, now()),
                       jsonb_build_array(jsonb_build_object('type', 'contact_id', 'value', up.id))
                       || case when up.email is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object('type', 'email', 'value', up.email)) end
                       || case when up.phone is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object('type', 'phone', 'value', up.phone)) end,
                       case when up.account_id is null then null
                            else jsonb_build_object('id', up.account_id, 'domain', null, 'name', null) end
                from up
                on conflict (workspace_id, id) do update set
                    occurred_at = excluded.occurred_at, identifiers = excluded.identifiers, account = excluded.account,
                    seq = nextval('identity_fact_seq_seq'), xid = pg_current_xact_id(), received_at = now()
                where f.origin = 'crm' and (f.identifiers, f.account) is distinct from (excluded.identifiers, excluded.account)
            )
            select id, created from up""";

    static final String OPPORTUNITIES = """
            insert into crm_opportunity as t (workspace_id, id, account_id, name, amount, currency, original_amount, original_currency,
                                              created_at, stage, status, closed_at, contact_roles, stage_history)
            select $1, u.id, u.account_id, u.name, u.amount::numeric, u.currency, u.original_amount::numeric, u.original_currency,
                   u.created_at, u.stage, u.status, u.closed_at, u.contact_roles::jsonb, u.stage_history::jsonb
            from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                        $10::text[], $11::text[], $12::timestamptz[], $13::text[], $14::text[])
                 as u(id, account_id, name, amount, currency, original_amount, original_currency, created_at, stage, status, closed_at,
                      contact_roles, stage_history)
            on conflict (workspace_id, id) do update set
                account_id = coalesce(excluded.account_id, t.account_id), name = coalesce(excluded.name, t.name),
                amount = coalesce(excluded.amount, t.amount), currency = coalesce(excluded.currency, t.currency),
                original_amount = coalesce(excluded.original_amount, t.original_amount),
                original_currency = coalesce(excluded.original_currency, t.original_currency),
                created_at = excluded.created_at, stage = coalesce(excluded.stage, t.stage), status = excluded.status,
                closed_at = excluded.closed_at, contact_roles = coalesce(excluded.contact_roles, t.contact_roles),
                stage_history = coalesce(excluded.stage_history, t.stage_history),
                seq = nextval('crm_seq'), xid = pg_current_xact_id(), updated_at = now()
            where (t.account_id, t.name, t.amount, t.currency, t.original_amount, t.original_currency, t.created_at, t.stage, t.status,
                   t.closed_at, t.contact_roles, t.stage_history)
                  is distinct from
                  (coalesce(excluded.account_id, t.account_id), coalesce(excluded.name, t.name), coalesce(excluded.amount, t.amount),
                   coalesce(excluded.currency, t.currency), coalesce(excluded.original_amount, t.original_amount),
                   coalesce(excluded.original_currency, t.original_currency), excluded.created_at, coalesce(excluded.stage, t.stage),
                   excluded.status, excluded.closed_at, coalesce(excluded.contact_roles, t.contact_roles),
                   coalesce(excluded.stage_history, t.stage_history))
            returning t.id, (t.xmax = 0) as created""";

    static final String STAGE_HISTORIES = """
            update crm_opportunity t set stage_history = u.h::jsonb, seq = nextval('crm_seq'), xid = pg_current_xact_id(), updated_at = now()
            from unnest($2::text[], $3::text[]) as u(id, h)
            where t.workspace_id = $1 and t.id = u.id and t.stage_history is distinct from u.h::jsonb
            returning t.id, false as created""";

    static final String REVENUE = """
            insert into revenue as t (workspace_id, id, account_id, opportunity_id, amount, currency, original_amount, original_currency,
                                      occurred_at)
            select $1, u.id, u.account_id, u.opportunity_id, u.amount::numeric, u.currency, u.original_amount::numeric,
                   u.original_currency, u.occurred_at
            from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
                 as u(id, account_id, opportunity_id, amount, currency, original_amount, original_currency, occurred_at)
            on conflict (workspace_id, id) do update set
                account_id = excluded.account_id, opportunity_id = coalesce(excluded.opportunity_id, t.opportunity_id),
                amount = excluded.amount, currency = excluded.currency, original_amount = excluded.original_amount,
                original_currency = excluded.original_currency, occurred_at = excluded.occurred_at,
                seq = nextval('revenue_seq_seq'), xid = pg_current_xact_id(), updated_at = now()
            where (t.account_id, t.opportunity_id, t.amount, t.currency, t.original_amount, t.original_currency, t.occurred_at)
                  is distinct from (excluded.account_id, coalesce(excluded.opportunity_id, t.opportunity_id), excluded.amount,
                  excluded.currency, excluded.original_amount, excluded.original_currency, excluded.occurred_at)
            returning t.id, (t.xmax = 0) as created""";

    static final String SPEND = """
            insert into spend as t (workspace_id, id, day, channel, source, medium, campaign, amount, currency, original_amount,
                                    original_currency)
            select $1, u.id, u.day, u.channel, u.source, u.medium, u.campaign, u.amount::numeric, u.currency, u.original_amount::numeric,
                   u.original_currency
            from unnest($2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                        $11::text[])
                 as u(id, day, channel, source, medium, campaign, amount, currency, original_amount, original_currency)
            on conflict (workspace_id, id) do update set
                amount = excluded.amount, currency = excluded.currency, original_amount = excluded.original_amount,
                original_currency = excluded.original_currency,
                seq = nextval('spend_seq_seq'), xid = pg_current_xact_id(), updated_at = now()
            where (t.amount, t.currency, t.original_amount, t.original_currency)
                  is distinct from (excluded.amount, excluded.currency, excluded.original_amount, excluded.original_currency)
            returning t.id, (t.xmax = 0) as created""";

    static final String OFFLINE_TOUCHES = """
            with up as (
                insert into touch as t (workspace_id, id, origin, occurred_at, type, identifiers, channel, source, medium, campaign, utm_valid)
                select $1, u.id, 'offline', u.occurred_at, u.type, u.identifiers::jsonb, u.channel, u.source, u.medium, u.campaign, u.utm_valid
                from unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::boolean[])
                     as u(id, occurred_at, type, identifiers, channel, source, medium, campaign, utm_valid)
                on conflict (workspace_id, id) do update set
                    occurred_at = excluded.occurred_at, type = excluded.type, identifiers = excluded.identifiers,
                    channel = excluded.channel, source = excluded.source, medium = excluded.medium, campaign = excluded.campaign,
                    utm_valid = excluded.utm_valid, seq = nextval('touch_seq_seq'), xid = pg_current_xact_id(), received_at = now()
                where t.origin = 'offline'
                  and (t.occurred_at, t.type, t.identifiers, t.channel, t.source, t.medium, t.campaign, t.utm_valid) is distinct from
                      (excluded.occurred_at, excluded.type, excluded.identifiers, excluded.channel, excluded.source, excluded.medium,
                       excluded.campaign, excluded.utm_valid)
                returning t.id, t.occurred_at, t.identifiers, (t.xmax = 0) as created
            ), facts as (
                insert into identity_fact as f (workspace_id, id, origin, kind, occurred_at, identifiers)
                select $1, 'touch:' || up.id, 'offline', 'link', up.occurred_at, up.identifiers
                from up
                where exists (select 1 from jsonb_array_elements(up.identifiers) e where e ->> 'type' in ('email', 'phone'))
                on conflict (workspace_id, id) do update set
                    occurred_at = excluded.occurred_at, identifiers = excluded.identifiers,
                    seq = nextval('identity_fact_seq_seq'), xid = pg_current_xact_id(), received_at = now()
                where f.origin = 'offline' and (f.occurred_at, f.identifiers) is distinct from (excluded.occurred_at, excluded.identifiers)
            )
            select id, created from up""";

    static final String EXCHANGE_RATES = """
            insert into exchange_rate as t (workspace_id, currency, day, rate)
            select $1, u.currency, u.day, u.rate::numeric from unnest($2::text[], $3::date[], $4::text[]) as u(currency, day, rate)
            on conflict (workspace_id, currency, day) do update set rate = excluded.rate
            where t.rate is distinct from excluded.rate
            returning rtrim(t.currency) || '|' || t.day::text as id, (t.xmax = 0) as created""";

    static final String RATES = """
            select q.currency, q.day,
                   (select e.rate::text from exchange_rate e
                    where e.workspace_id = $1 and e.currency = q.currency and e.day <= q.day and e.day >= q.day - $4::int
                    order by e.day desc limit 1) as rate
            from unnest($2::text[], $3::date[]) as q(currency, day)""";

    public Uni<String> reportingCurrency(SqlConnection c, String workspace) {
        return c.preparedQuery("select reporting_currency from workspace where id = $1").execute(Tuple.of(workspace))
                .map(rows -> rows.size() == 0 ? "USD" : rows.iterator().next().getString(0).strip());
    }

    public Uni<Void> setReportingCurrency(SqlConnection c, String workspace, String currency) {
        return c.preparedQuery("insert into workspace (id, reporting_currency) values ($1, $2)"
                        + " on conflict (id) do update set reporting_currency = excluded.reporting_currency")
                .execute(Tuple.of(workspace, currency)).replaceWithVoid();
    }

    /** Rates for (currency, day) pairs, keyed "CUR|yyyy-mm-dd"; pairs without a rate are absent. */
    public Uni<Map<String, BigDecimal>> rates(SqlConnection c, String workspace, Collection<String> currencyDays) {
        if (currencyDays.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        String[] currencies = new String[currencyDays.size()];
        LocalDate[] days = new LocalDate[currencyDays.size()];
        int i = 0;
        for (String key : currencyDays) {
            currencies[i] = key.substring(0, 3);
            days[i++] = LocalDate.parse(key.substring(4));
        }
        return c.preparedQuery(RATES).execute(Tuple.of(workspace, currencies, days, Conversion.RATE_MAX_AGE_DAYS)).map(rows -> {
            Map<String, BigDecimal> rates = new HashMap<>();
            for (Row row : rows) {
                String rate = row.getString("rate");
                if (rate != null) {
                    rates.put(row.getString("currency") + "|" + row.getLocalDate("day"), new BigDecimal(rate));
                }
            }
            return rates;
        });
    }

    public Uni<Map<String, Status>> upsertAccounts(SqlConnection c, String workspace, List<Records.Account> accounts) {
        int n = accounts.size();
        String[] id = new String[n], name = new String[n], domains = new String[n], industry = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Records.Account a = accounts.get(i);
            id[i] = a.id();
            name[i] = a.name();
            domains[i] = textArray(a.domains());
            industry[i] = a.industry();
            created[i] = a.createdAt();
        }
        return run(c, ACCOUNTS, Tuple.tuple(List.of(workspace, id, name, domains, industry, created)));
    }

    public Uni<Map<String, Status>> upsertContacts(SqlConnection c, String workspace, List<Records.Contact> contacts) {
        int n = contacts.size();
        String[] id = new String[n], email = new String[n], phone = new String[n], account = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n], lead = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Records.Contact x = contacts.get(i);
            id[i] = x.id();
            email[i] = x.email();
            phone[i] = x.phone();
            account[i] = x.accountId();
            created[i] = x.createdAt();
            lead[i] = x.leadCreatedAt();
        }
        return run(c, CONTACTS, Tuple.tuple(List.of(workspace, id, email, phone, account, created, lead)));
    }

    /** @param amounts the converted amount of each opportunity (null where it has none) */
    public Uni<Map<String, Status>> upsertOpportunities(SqlConnection c, String workspace, List<Records.Opportunity> opportunities,
                                                       List<Conversion.Converted> amounts) {
        int n = opportunities.size();
        String[] id = new String[n], account = new String[n], name = new String[n], amount = new String[n], currency = new String[n],
                original = new String[n], originalCurrency = new String[n], stage = new String[n], status = new String[n],
                roles = new String[n], history = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n], closed = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Records.Opportunity o = opportunities.get(i);
            Conversion.Converted m = amounts.get(i);
            id[i] = o.id();
            account[i] = o.accountId();
            name[i] = o.name();
            if (m != null) {
                amount[i] = m.amount().toPlainString();
                currency[i] = m.currency();
                original[i] = m.originalAmount().toPlainString();
                originalCurrency[i] = m.originalCurrency();
            }
            created[i] = o.createdAt();
            stage[i] = o.stage();
            status[i] = o.status();
            closed[i] = o.closedAt();
            roles[i] = o.contactRoles() == null ? null : rolesJson(o.contactRoles());
            history[i] = o.stageHistory() == null ? null : historyJson(o.stageHistory());
        }
        return run(c, OPPORTUNITIES, Tuple.tuple(List.of(workspace, id, account, name, amount, currency, original, originalCurrency,
                created, stage, status, closed, roles, history)));
    }

    /** The stored stage history (as JSON text, null when none) of each of {@code ids} that exists. */
    public Uni<Map<String, String>> stageHistories(SqlConnection c, String workspace, Set<String> ids) {
        return c.preparedQuery("select id, stage_history::text from crm_opportunity where workspace_id = $1 and id = any($2::text[])")
                .execute(Tuple.of(workspace, ids.toArray(new String[0])))
                .map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    for (Row row : rows) {
                        out.put(row.getString(0), row.getString(1));
                    }
                    return out;
                });
    }

    public Uni<Map<String, Status>> updateStageHistories(SqlConnection c, String workspace, Map<String, List<Records.StageChange>> histories) {
        String[] id = new String[histories.size()], h = new String[histories.size()];
        int i = 0;
        for (Map.Entry<String, List<Records.StageChange>> e : histories.entrySet()) {
            id[i] = e.getKey();
            h[i++] = historyJson(e.getValue());
        }
        return run(c, STAGE_HISTORIES, Tuple.of(workspace, id, h));
    }

    public Uni<Map<String, Status>> upsertRevenue(SqlConnection c, String workspace, List<Records.Revenue> revenue,
                                                 List<Conversion.Converted> amounts) {
        int n = revenue.size();
        String[] id = new String[n], account = new String[n], opportunity = new String[n], amount = new String[n],
                currency = new String[n], original = new String[n], originalCurrency = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Records.Revenue r = revenue.get(i);
            Conversion.Converted m = amounts.get(i);
            id[i] = r.id();
            account[i] = r.accountId();
            opportunity[i] = r.opportunityId();
            amount[i] = m.amount().toPlainString();
            currency[i] = m.currency();
            original[i] = m.originalAmount().toPlainString();
            originalCurrency[i] = m.originalCurrency();
            at[i] = r.occurredAt();
        }
        return run(c, REVENUE, Tuple.tuple(List.of(workspace, id, account, opportunity, amount, currency, original, originalCurrency, at)));
    }

    public Uni<Map<String, Status>> upsertSpend(SqlConnection c, String workspace, List<Records.Spend> spend,
                                               List<Conversion.Converted> amounts) {
        int n = spend.size();
        String[] id = new String[n], channel = new String[n], source = new String[n], medium = new String[n], campaign = new String[n],
                amount = new String[n], currency = new String[n], original = new String[n], originalCurrency = new String[n];
        LocalDate[] day = new LocalDate[n];
        for (int i = 0; i < n; i++) {
            Records.Spend s = spend.get(i);
            Conversion.Converted m = amounts.get(i);
            id[i] = s.id();
            day[i] = s.date();
            channel[i] = s.channel();
            source[i] = s.source();
            medium[i] = s.medium();
            campaign[i] = s.campaign();
            amount[i] = m.amount().toPlainString();
            currency[i] = m.currency();
            original[i] = m.originalAmount().toPlainString();
            originalCurrency[i] = m.originalCurrency();
        }
        return run(c, SPEND, Tuple.tuple(List.of(workspace, id, day, channel, source, medium, campaign, amount, currency, original,
                originalCurrency)));
    }

    /** Ids among {@code ids} already used by Segment messages (an offline touch may not take them over). */
    public Uni<Set<String>> segmentTouchIds(SqlConnection c, String workspace, Collection<String> ids) {
        return c.preparedQuery("select id from touch where workspace_id = $1 and id = any($2::text[]) and origin = 'segment'")
                .execute(Tuple.of(workspace, ids.toArray(new String[0])))
                .map(rows -> {
                    Set<String> out = new java.util.HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Uni<Map<String, Status>> upsertOfflineTouches(SqlConnection c, String workspace, List<Records.OfflineTouch> touches) {
        int n = touches.size();
        String[] id = new String[n], type = new String[n], identifiers = new String[n], channel = new String[n], source = new String[n],
                medium = new String[n], campaign = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        Boolean[] utmValid = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Records.OfflineTouch t = touches.get(i);
            List<Identifier> ids = new ArrayList<>(3);
            if (t.contactId() != null) {
                ids.add(new Identifier(Identifier.CONTACT_ID, t.contactId()));
            }
            if (t.email() != null) {
                ids.add(new Identifier(Identifier.EMAIL, t.email()));
            }
            if (t.phone() != null) {
                ids.add(new Identifier(Identifier.PHONE, t.phone()));
            }
            id[i] = t.id();
            at[i] = t.occurredAt();
            type[i] = t.type();
            identifiers[i] = Identifier.toJson(ids);
            channel[i] = t.channel();
            source[i] = t.source();
            medium[i] = t.medium();
            campaign[i] = t.campaign();
            utmValid[i] = t.utmValid();
        }
        return run(c, OFFLINE_TOUCHES, Tuple.tuple(List.of(workspace, id, at, type, identifiers, channel, source, medium, campaign,
                utmValid)));
    }

    public Uni<Map<String, Status>> upsertExchangeRates(SqlConnection c, String workspace, List<Records.ExchangeRate> rates) {
        int n = rates.size();
        String[] currency = new String[n], rate = new String[n];
        LocalDate[] day = new LocalDate[n];
        for (int i = 0; i < n; i++) {
            currency[i] = rates.get(i).currency();
            day[i] = rates.get(i).date();
            rate[i] = rates.get(i).rate().toPlainString();
        }
        return run(c, EXCHANGE_RATES, Tuple.of(workspace, currency, day, rate));
    }

    private static Uni<Map<String, Status>> run(SqlConnection c, String sql, Tuple args) {
        return c.preparedQuery(sql).execute(args).map(CrmRepository::statuses);
    }

    private static Map<String, Status> statuses(RowSet<Row> rows) {
        Map<String, Status> out = new HashMap<>();
        for (Row row : rows) {
            out.put(row.getString(0), row.getBoolean(1) ? Status.CREATED : Status.UPDATED);
        }
        return out;
    }

    /** A PostgreSQL array literal of strings, e.g. {"acme.com","acme.io"}. */
    static String textArray(List<String> values) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }

    public static String rolesJson(List<Records.ContactRole> roles) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < roles.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"contactId\":");
            Json.quote(b, roles.get(i).contactId());
            b.append(",\"role\":");
            Json.quote(b, roles.get(i).role());
            b.append('}');
        }
        return b.append(']').toString();
    }

    public static String historyJson(List<Records.StageChange> history) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < history.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"stage\":");
            Json.quote(b, history.get(i).stage());
            b.append(",\"enteredAt\":");
            Json.quote(b, Fields.ISO.format(history.get(i).enteredAt()));
            b.append('}');
        }
        return b.append(']').toString();
    }
}
