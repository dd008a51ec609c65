package io.closedloop.attribution.repository;

import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.TouchCursor;
import io.closedloop.attribution.report.ReportViews;

import io.closedloop.plumbing.graphql.PageInfo;
import io.closedloop.attribution.TouchType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.closedloop.attribution.rollup.KeyNumbers;
import io.closedloop.attribution.rollup.SpendSums;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collector;

/** The SQL of the reports (aggregations over spend, revenue, touches and opportunities). */
@ApplicationScoped
public class ReportRepository {

    /** Touch types that count as marketing when a workspace never set its own (docs/reports.md). */
    public static final List<String> DEFAULT_MARKETING_TOUCH_TYPES = List.of("PAGE_VIEW", "SCREEN_VIEW", "FORM_FILL",
            "EMAIL_CLICK", "AD_CLICK", "WEBINAR", "EVENT", "DIRECT_MAIL", "HOW_DID_YOU_HEAR", "TRACK");

    public record RevenueRow(String accountId, Instant occurredAt, double amount) {
    }

    public record OpportunityDetail(String id, Instant createdAt, JsonArray stageHistory, JsonArray contactRoles) {
    }

    public record AccountTouch(String id, Instant occurredAt, String type, String channel, String campaign, String personId) {
    }

    public record TouchQuality(long touches, long utmKnown, long utmValid, long withPerson, long withAccount) {
    }

    private final Pool pool;

    public ReportRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<String>> marketingTouchTypes(String workspace) {
        return pool.preparedQuery("select marketing_touch_types from report_settings where workspace_id = $1")
                .execute(Tuple.of(workspace)).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return DEFAULT_MARKETING_TOUCH_TYPES;
                    }
                    return List.of(rows.iterator().next().getArrayOfStrings(0));
                });
    }

    public Uni<List<String>> setMarketingTouchTypes(String workspace, List<String> types) {
        return pool.preparedQuery("""
                        insert into report_settings (workspace_id, marketing_touch_types) values ($1, $2)
                        on conflict (workspace_id) do update set marketing_touch_types = excluded.marketing_touch_types,
                            updated_at = now()""")
                .execute(Tuple.of(workspace, types.toArray(new String[0]))).replaceWith(types);
    }

    /** Spend of days [from, to) per value of a spend column (channel, source, medium or campaign); null values as noValue. */
    public Uni<Map<String, Double>> spendBy(String workspace, LocalDate from, LocalDate to, String column, String noValue) {
        if (!Set.of("channel", "source", "medium", "campaign").contains(column)) {
            throw new IllegalStateException("no spend column " + column);
        }
        return pool.preparedQuery("select coalesce(" + column + ", $4) as k, sum(amount)::float8 from spend"
                        + " where workspace_id = $1 and day >= $2 and day < $3 group by 1")
                .execute(Tuple.of(workspace, from, to, noValue)).map(rows -> {
                    Map<String, Double> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString(0), r.getDouble(1));
                    }
                    return out;
                });
    }

    /**
     * The workspace's spend as running sums over days (SpendSums): in total and by each spend column's values, numbered by
     * {@code numbers} (per column), null values as {@code noValue}; one read of its rows, kept as they arrive (day, amount
     * and the column values only), summed off the event loop.
     */
    public Uni<SpendSums> spendSums(String workspace, String noValue, Map<String, KeyNumbers> numbers) {
        record Spent(int day, double amount, String[] values) {
        }
        Collector<io.vertx.sqlclient.Row, List<Spent>, List<Spent>> collector = Collector.of(ArrayList::new, (rows, r) -> {
            String[] values = new String[SpendSums.COLUMNS.length];
            for (int i = 0; i < values.length; i++) {
                String v = r.getString(2 + i);
                values[i] = v == null ? noValue : v;
            }
            rows.add(new Spent(r.getInteger(0), r.getDouble(1), values));
        }, (a, b) -> {
            throw new IllegalStateException("rows are read in sequence");
        });
        return Uni.createFrom().completionStage(() -> pool.getDelegate().preparedQuery("select day - date '1970-01-01',"
                                + " amount::float8, " + String.join(", ", SpendSums.COLUMNS) + " from spend where workspace_id = $1")
                        .collecting(collector).execute(io.vertx.sqlclient.Tuple.of(workspace)).toCompletionStage())
                .emitOn(Infrastructure.getDefaultWorkerPool()).map(result -> {
                    SpendSums.Builder builder = new SpendSums.Builder(numbers);
                    for (Spent row : result.value()) {
                        builder.add(row.day(), row.values(), row.amount());
                    }
                    return builder.build();
                });
    }

    public Uni<Double> spendTotal(String workspace, LocalDate from, LocalDate to) {
        return pool.preparedQuery("select coalesce(sum(amount), 0)::float8 from spend where workspace_id = $1 and day >= $2 and day < $3")
                .execute(Tuple.of(workspace, from, to)).map(rows -> rows.iterator().next().getDouble(0));
    }

    public record FirstWon(String opportunityId, String accountId, Instant closedAt) {
    }

    /**
     * Which of {@code ids} are their account's first won opportunity (earliest close, ties by id, as
     * {@link #firstWonDeals}): one look at each one's account, not a read of every won deal.
     */
    public Uni<Set<String>> firstWonAmong(String workspace, Collection<String> ids) {
        return pool.preparedQuery("""
                        select o.id from opportunity o
                        where o.workspace_id = $1 and o.id = any($2) and o.status = 'WON' and o.account_id is not null
                          and o.closed_at is not null
                          and not exists (select 1 from opportunity p
                                          where p.workspace_id = o.workspace_id and p.account_id = o.account_id
                                            and p.status = 'WON' and p.closed_at is not null
                                            and (p.closed_at < o.closed_at or p.closed_at = o.closed_at and p.id < o.id collate "C"))""")
                .execute(Tuple.of(workspace, ids.toArray(String[]::new))).map(rows -> {
                    Set<String> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /** Each account's first won opportunity (earliest close, ties by id in code point order, as the rollups break them), by opportunity id. */
    public Uni<Map<String, FirstWon>> firstWonDeals(String workspace) {
        return pool.preparedQuery("""
                        select distinct on (account_id) id, closed_at, account_id from opportunity
                        where workspace_id = $1 and status = 'WON' and account_id is not null and closed_at is not null
                        order by account_id, closed_at, id collate "C" """)
                .execute(Tuple.of(workspace)).map(rows -> {
                    Map<String, FirstWon> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString(0), new FirstWon(r.getString(0), r.getString(2), r.getOffsetDateTime(1).toInstant()));
                    }
                    return out;
                });
    }

    public Uni<List<RevenueRow>> revenueOf(String workspace, Set<String> accounts) {
        return pool.preparedQuery("""
                        select account_id, occurred_at, amount::float8 from revenue
                        where workspace_id = $1 and account_id = any($2)""")
                .execute(Tuple.of(workspace, accounts.toArray(new String[0]))).map(rows -> {
                    List<RevenueRow> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new RevenueRow(r.getString(0), r.getOffsetDateTime(1).toInstant(), r.getDouble(2)));
                    }
                    return out;
                });
    }

    public Uni<TouchQuality> touchQuality(String workspace, Instant from, Instant to) {
        return pool.preparedQuery("""
                        select count(*), count(utm_valid), count(*) filter (where utm_valid),
                               count(*) filter (where exists (select 1 from membership m where m.workspace_id = t.workspace_id
                                   and m.identifier = any(t.identifiers) and m.person_id is not null)),
                               count(*) filter (where exists (select 1 from membership m where m.workspace_id = t.workspace_id
                                   and m.identifier = any(t.identifiers) and m.account_id is not null
                                   and m.account_id not like 'person:%')) -- a person's own account is no company (V11)
                        from touch t where t.workspace_id = $1 and t.occurred_at >= $2 and t.occurred_at < $3""")
                .execute(Tuple.of(workspace, utc(from), utc(to))).map(rows -> {
                    Row r = rows.iterator().next();
                    return new TouchQuality(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4));
                });
    }

    /** [revenue of the period, the part of it whose account had a touch at or before it]. */
    public Uni<double[]> revenueWithTouch(String workspace, Instant from, Instant to) {
        return pool.preparedQuery("""
                        select coalesce(sum(r.amount), 0)::float8,
                               coalesce(sum(r.amount) filter (where exists (
                                   select 1 from membership m
                                   where m.workspace_id = r.workspace_id and m.account_id = r.account_id
                                     -- nested, so each identifier is one lookup of touch's GIN index (a join made the
                                     -- planner scan every touch per invoice: 3.3 s for the demo's 280 invoices)
                                     and exists (select 1 from touch t where t.workspace_id = m.workspace_id
                                                 and t.identifiers @> array[m.identifier] and t.occurred_at <= r.occurred_at))),
                                   0)::float8
                        from revenue r where r.workspace_id = $1 and r.occurred_at >= $2 and r.occurred_at < $3""")
                .execute(Tuple.of(workspace, utc(from), utc(to)))
                .map(rows -> new double[] {rows.iterator().next().getDouble(0), rows.iterator().next().getDouble(1)});
    }

    public Uni<Integer> opportunitiesWithoutContactRoles(String workspace, Instant from, Instant to) {
        return pool.preparedQuery("""
                        select count(*) from opportunity where workspace_id = $1 and created_at >= $2 and created_at < $3
                            and cardinality(contact_ids) = 0""")
                .execute(Tuple.of(workspace, utc(from), utc(to))).map(rows -> rows.iterator().next().getInteger(0));
    }

    public Uni<Integer> wonDealsClosedIn(String workspace, Instant from, Instant to) {
        return pool.preparedQuery("""
                        select count(*) from opportunity where workspace_id = $1 and status = 'WON'
                            and closed_at >= $2 and closed_at < $3""")
                .execute(Tuple.of(workspace, utc(from), utc(to))).map(rows -> rows.iterator().next().getInteger(0));
    }

    /**
     * The touches behind a data-quality figure, newest first (then by id, descending): the page after the cursor
     * {@code after} (its touch's time and id), and how many there are.
     */
    public Uni<ReportViews.QualityTouchConnection> qualityTouches(String workspace, Instant from, Instant to,
                                                                  ReportViews.QualityProblem problem, String field, String after,
                                                                  int first) {
        String condition = switch (problem) {
            case INVALID_UTM -> "not t.utm_valid";
            case NO_PERSON -> "not exists (select 1 from membership m where m.workspace_id = t.workspace_id"
                    + " and m.identifier = any(t.identifiers) and m.person_id is not null)";
            case NO_ACCOUNT -> "not exists (select 1 from membership m where m.workspace_id = t.workspace_id"
                    + " and m.identifier = any(t.identifiers) and m.account_id is not null and m.account_id not like 'person:%')";
            case UNMAPPED_CAMPAIGN -> "t.campaign is not null and t.channel in ('other', '(none)')";
        };
        TouchCursor continued = TouchCursor.of(field, after);
        // Before the first page: after every touch.
        OffsetDateTime afterAt = continued == null ? OffsetDateTime.of(9999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC)
                : utc(continued.at());
        String afterId = continued == null ? "" : continued.id();
        String scope = " from touch t where t.workspace_id = $1 and t.occurred_at >= $2 and t.occurred_at < $3 and " + condition;
        Uni<Integer> count = pool.preparedQuery("select count(*)" + scope).execute(Tuple.of(workspace, utc(from), utc(to)))
                .map(rows -> rows.iterator().next().getInteger(0));
        return count.chain(total -> pool.preparedQuery("select t.id, t.occurred_at, t.type, t.channel, t.source, t.medium,"
                        + " t.campaign, t.content" + scope + " and (t.occurred_at, t.id) < ($4, $5)"
                        + " order by t.occurred_at desc, t.id desc limit $6")
                .execute(Tuple.from(List.of(workspace, utc(from), utc(to), afterAt, afterId, first + 1)))
                .map(rows -> {
                    List<ReportViews.QualityTouchEdge> edges = new ArrayList<>();
                    List<String> cursors = new ArrayList<>();
                    for (Row r : rows) {
                        if (edges.size() == first) {
                            break;
                        }
                        ReportViews.QualityTouch touch = touch(r, 0);
                        String cursor = TouchCursor.encode(touch);
                        cursors.add(cursor);
                        edges.add(new ReportViews.QualityTouchEdge(cursor, touch));
                    }
                    return new ReportViews.QualityTouchConnection(edges, PageInfo.of(cursors, rows.size() > first, after != null),
                            total);
                }));
    }

    /** A touch from columns id, occurred_at, type, channel, source, medium, campaign, content starting at {@code from}. */
    private static ReportViews.QualityTouch touch(Row r, int from) {
        return new ReportViews.QualityTouch(r.getString(from), r.getOffsetDateTime(from + 1).toInstant().toString(),
                TouchType.of(r.getString(from + 2)), r.getString(from + 3), r.getString(from + 4), r.getString(from + 5),
                r.getString(from + 6), r.getString(from + 7));
    }

    /**
     * The touches of each of {@code persons} (those of the identifiers that are theirs in membership), newest first then by
     * id descending: the page after the cursor {@code after}, at most {@code first}, and how many there are, in the order
     * of the persons. Two statements for any number of persons (the counts, and a page per person).
     */
    public Uni<List<ReportViews.PersonTouchConnection>> personTouches(String workspace, List<String> persons, String field,
                                                                      String after, int first) {
        TouchCursor cursor = TouchCursor.of(field, after);
        String[] ids = persons.toArray(String[]::new);
        Uni<Map<String, Integer>> counts = pool.preparedQuery("""
                        select p.person_id, count(distinct t.id)::int
                        from unnest($2::text[]) as p(person_id)
                        join membership m on m.workspace_id = $1 and m.person_id = p.person_id
                        join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
                        group by p.person_id""")
                .execute(Tuple.of(workspace, ids)).map(rows -> {
                    Map<String, Integer> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getString(0), r.getInteger(1)));
                    return out;
                });
        return counts.chain(total -> pool.preparedQuery("""
                        select p.person_id, x.id, x.occurred_at, x.type, x.channel, x.source, x.medium, x.campaign, x.content
                        from unnest($2::text[]) with ordinality as p(person_id, n)
                        cross join lateral (
                            select t.id, t.occurred_at, t.type, t.channel, t.source, t.medium, t.campaign, t.content
                            from membership m
                            join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
                            where m.workspace_id = $1 and m.person_id = p.person_id
                              and ($3::timestamptz is null or t.occurred_at < $3
                                   or (t.occurred_at = $3 and t.id collate "C" < $4))
                            group by t.workspace_id, t.id
                            order by t.occurred_at desc, t.id collate "C" desc limit $5) x
                        order by p.n, x.occurred_at desc, x.id collate "C" desc""")
                .execute(Tuple.from(Arrays.asList(workspace, ids, cursor == null ? null : utc(cursor.at()),
                        cursor == null ? null : cursor.id(), first + 1)))
                .map(rows -> {
                    Map<String, List<ReportViews.QualityTouch>> pages = new HashMap<>();
                    for (Row r : rows) {
                        pages.computeIfAbsent(r.getString(0), p -> new ArrayList<>()).add(touch(r, 1));
                    }
                    List<ReportViews.PersonTouchConnection> out = new ArrayList<>(persons.size());
                    for (String person : persons) {
                        List<ReportViews.QualityTouch> page = pages.getOrDefault(person, List.of());
                        List<ReportViews.PersonTouchEdge> edges = new ArrayList<>();
                        List<String> cursors = new ArrayList<>();
                        for (ReportViews.QualityTouch t : page.subList(0, Math.min(first, page.size()))) {
                            String c = TouchCursor.encode(t);
                            cursors.add(c);
                            edges.add(new ReportViews.PersonTouchEdge(c, t));
                        }
                        out.add(new ReportViews.PersonTouchConnection(edges, PageInfo.of(cursors, page.size() > first,
                                after != null), total.getOrDefault(person, 0)));
                    }
                    return out;
                }));
    }

    /** The workspace's reporting currency: that of its amounts (ingestion converts every amount into it); null before any. */
    public Uni<String> currency(String workspace) {
        return pool.preparedQuery("""
                        select currency from (
                            (select currency from opportunity where workspace_id = $1 and currency is not null limit 1)
                            union all (select currency from revenue where workspace_id = $1 and currency is not null limit 1)
                            union all (select currency from spend where workspace_id = $1 and currency is not null limit 1)) c
                        limit 1""")
                .execute(Tuple.of(workspace))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
    }

    /** Campaigns of the period's touches on the taxonomy's fallback channel ('other') or none. */
    public Uni<List<String>> unmappedCampaigns(String workspace, Instant from, Instant to, int limit) {
        return pool.preparedQuery("""
                        select distinct campaign from touch where workspace_id = $1 and occurred_at >= $2 and occurred_at < $3
                            and campaign is not null and channel in ('other', '(none)') order by campaign limit $4""")
                .execute(Tuple.of(workspace, utc(from), utc(to), limit)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /**
     * The touches of the account {@code a.account_id} (once each, with the smallest person id it resolves to): a lateral
     * subquery over a list of accounts {@code a}.
     */
    private static final String ACCOUNT_TOUCHES = """
            select t.id, t.occurred_at, t.type, t.channel, t.campaign, min(m.person_id) as person_id
            from membership m join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
            where m.workspace_id = $1 and m.account_id = a.account_id
            group by t.id, t.occurred_at, t.type, t.channel, t.campaign""";

    /** What the account view computes over all of an account's touches: each person's first touch, and how many touches. */
    public record TouchSummary(Map<String, Instant> firstTouchOf, Instant firstTouch, long touches) {

        /** An account without touches (its map answers null and false for a contact without a person). */
        public static final TouchSummary NONE = new TouchSummary(Collections.emptyMap(), null, 0);
    }

    /** Each account's {@link TouchSummary} (accounts without touches are left out); one statement for any number of accounts. */
    public Uni<Map<String, TouchSummary>> accountTouchSummaries(String workspace, Collection<String> accounts) {
        return pool.preparedQuery("""
                        select a.account_id, at.person_id, min(at.occurred_at), count(*)
                        from unnest($2::text[]) as a(account_id) cross join lateral (%s) at
                        group by a.account_id, at.person_id""".formatted(ACCOUNT_TOUCHES))
                .execute(Tuple.of(workspace, accounts.toArray(String[]::new))).map(rows -> {
                    Map<String, Map<String, Instant>> firstOf = new HashMap<>();
                    Map<String, Instant> first = new HashMap<>();
                    Map<String, Long> count = new HashMap<>();
                    for (Row r : rows) {
                        String account = r.getString(0);
                        Instant at = r.getOffsetDateTime(2).toInstant();
                        Map<String, Instant> persons = firstOf.computeIfAbsent(account, a -> new HashMap<>());
                        if (r.getString(1) != null) {
                            persons.put(r.getString(1), at);
                        }
                        first.merge(account, at, (a, b) -> a.isBefore(b) ? a : b);
                        count.merge(account, r.getLong(3), Long::sum);
                    }
                    Map<String, TouchSummary> out = new HashMap<>();
                    firstOf.forEach((account, persons) -> out.put(account,
                            new TouchSummary(persons, first.get(account), count.get(account))));
                    return out;
                });
    }

    /**
     * Each account's touches newest first (then by id, descending), at most {@code limit} per account: those after the
     * timeline cursor {@code (at, kind, id)} when {@code at} is given (a touch at the cursor's time follows a STAGE entry
     * there, and follows a TOUCH entry when its id is smaller). One statement for any number of accounts.
     */
    public Uni<Map<String, List<AccountTouch>>> accountTouchesAfter(String workspace, Collection<String> accounts, Instant at,
                                                                     String kind, String id, int limit) {
        return pool.preparedQuery("""
                        select a.account_id, at.* from unnest($2::text[]) with ordinality as a(account_id, n)
                        cross join lateral (
                            select * from (%s) at
                            where $3::timestamptz is null or at.occurred_at < $3
                                or (at.occurred_at = $3 and ($4 = 'STAGE' or at.id collate "C" < $5))
                            order by at.occurred_at desc, at.id collate "C" desc limit $6) at
                        order by a.n, at.occurred_at desc, at.id collate "C" desc""".formatted(ACCOUNT_TOUCHES))
                .execute(Tuple.from(Arrays.asList(workspace, accounts.toArray(String[]::new), at == null ? null : utc(at), kind,
                        id, limit)))
                .map(rows -> {
                    Map<String, List<AccountTouch>> out = new HashMap<>();
                    for (Row r : rows) {
                        out.computeIfAbsent(r.getString(0), a -> new ArrayList<>()).add(new AccountTouch(r.getString(1),
                                r.getOffsetDateTime(2).toInstant(), r.getString(3), r.getString(4), r.getString(5), r.getString(6)));
                    }
                    return out;
                });
    }

    /** Each account's opportunities, earliest created first (then by id); one statement for any number of accounts. */
    public Uni<Map<String, List<OpportunityDetail>>> accountOpportunities(String workspace, Collection<String> accounts) {
        return pool.preparedQuery("""
                        select account_id, id, created_at, stage_history::text, contact_roles::text from opportunity
                        where workspace_id = $1 and account_id = any($2) order by account_id, created_at, id""")
                .execute(Tuple.of(workspace, accounts.toArray(String[]::new))).map(rows -> {
                    Map<String, List<OpportunityDetail>> out = new HashMap<>();
                    for (Row r : rows) {
                        out.computeIfAbsent(r.getString(0), a -> new ArrayList<>()).add(new OpportunityDetail(r.getString(1),
                                r.getOffsetDateTime(2).toInstant(), new JsonArray(r.getString(3)), new JsonArray(r.getString(4))));
                    }
                    return out;
                });
    }

    /** The accounts' contacts (and every contact in {@code moreContacts}) with their person id, if resolved. */
    public Uni<Map<String, String>> contactPersons(String workspace, Collection<String> accounts, Set<String> moreContacts) {
        return pool.preparedQuery("""
                        select c.id, m.person_id from contact c
                        left join membership m on m.workspace_id = c.workspace_id and m.identifier = 'contact_id:' || c.id
                        where c.workspace_id = $1 and (c.account_id = any($2) or c.id = any($3))""")
                .execute(Tuple.of(workspace, accounts.toArray(String[]::new), moreContacts.toArray(new String[0]))).map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    for (Row r : rows) {
                        out.put(r.getString(0), r.getString(1));
                    }
                    return out;
                });
    }

    /** Each account's contacts; one statement for any number of accounts. */
    public Uni<Map<String, Set<String>>> accountContacts(String workspace, Collection<String> accounts) {
        return pool.preparedQuery("select account_id, id from contact where workspace_id = $1 and account_id = any($2)")
                .execute(Tuple.of(workspace, accounts.toArray(String[]::new))).map(rows -> {
                    Map<String, Set<String>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString(0), a -> new HashSet<>()).add(r.getString(1)));
                    return out;
                });
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
