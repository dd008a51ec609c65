package io.closedloop.attribution.repository;

import io.closedloop.attribution.journey.AccountState;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.rollup.CreditRollup;
import io.closedloop.attribution.rollup.DaySums;
import io.closedloop.attribution.rollup.KeyNumbers;
import io.closedloop.attribution.rollup.SeriesCodec;
import io.closedloop.attribution.rollup.WonDealDays;
import io.closedloop.attribution.rollup.DealRow;
import io.closedloop.attribution.rollup.RollupColumns;
import io.closedloop.attribution.rollup.RollupRow;
import io.closedloop.attribution.rollup.RollupState;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collector;

/** SQL of the rollups: workspace state, accounts' journey inputs, and delta upserts. */
@ApplicationScoped
public class RollupRepository {

    /**
     * A feed page's share of its workspace's rollup lock, until its transaction ends: pages run side by side (each holding
     * the locks of the accounts it changes, {@link #lockAccounts}), while the moment a full recompute takes its snapshot
     * holds the lock exclusively (RollupRecompute), so every page either committed before the snapshot or after it.
     */
    public static final String LOCK_SHARED = "select pg_advisory_xact_lock_shared(hashtextextended('rollup/' || $1, 0))";

    /** The partition (0..partitions−1) of an account (SQL); opportunities without an account count as account ''. */
    public static final String PARTITION_OF = "mod(hashtextextended(coalesce(%s, ''), 0) & 9223372036854775807, %s)";

    public Uni<Void> lockShared(SqlClient tx, String workspace) {
        return tx.preparedQuery(LOCK_SHARED).execute(Tuple.of(workspace)).replaceWithVoid();
    }

    /**
     * Locks the rollup contributions of {@code keys} ("account:id", and "opportunity:id" for deals without one) until the
     * transaction ends, in the order given (sorted by the caller, so that pages taking the same ones cannot deadlock):
     * a page reads an account's journeys before and after its change, and adds the difference, while no other page
     * changes that account.
     */
    public Uni<Void> lockAccounts(SqlClient tx, String workspace, List<String> keys) {
        return tx.preparedQuery("select pg_advisory_xact_lock(hashtextextended('rollup/' || $1 || '/' || k, 0))"
                        + " from unnest($2::text[]) with ordinality as x(k, i) order by i")
                .execute(Tuple.of(workspace, keys.toArray(new String[0]))).replaceWithVoid();
    }

    /**
     * The workspace's state, created on first use with the workspace's settings: a workspace seen
     * for the first time has no data yet, so its rollups start complete (ready) and empty.
     */
    public Uni<RollupState> ensureState(SqlClient tx, String workspace) {
        return tx.preparedQuery("""
                        insert into rollup_state (workspace_id, generation, lookback_days, half_life_days, ready)
                        select $1, 1, coalesce(s.lookback_days, 365), coalesce(s.half_life_days, 7), true
                        from (select 1) one left join attribution_settings s on s.workspace_id = $1
                        on conflict (workspace_id) do nothing""")
                .execute(Tuple.of(workspace)).chain(() -> state(tx, workspace));
    }

    public Uni<RollupState> state(SqlClient client, String workspace) {
        return client.preparedQuery("select * from rollup_state where workspace_id = $1").execute(Tuple.of(workspace))
                .map(rows -> rows.size() == 0 ? null : state(rows.iterator().next()));
    }

    static RollupState state(Row r) {
        return new RollupState(r.getString("workspace_id"), r.getInteger("generation"), r.getInteger("lookback_days"),
                r.getDouble("half_life_days"), r.getBoolean("ready"), r.getInteger("building"),
                r.getInteger("building_lookback"), r.getDouble("building_half_life"), r.getInteger("building_partitions"),
                r.getOffsetDateTime("updated_at").toInstant());
    }

    /** Of these accounts, those whose partition of the building generation has taken its snapshot. */
    public Uni<Set<String>> startedPartitionAccounts(SqlClient tx, String workspace, int building, Set<String> accounts) {
        return tx.preparedQuery("select a from unnest($3::text[]) a where exists (select 1 from recompute_partition p"
                        + " where p.workspace_id = $1 and p.generation = $2 and p.state <> 'FAILED' and p.partition = "
                        + PARTITION_OF.formatted("a", "p.partitions") + ")")
                .execute(Tuple.of(workspace, building, accounts.toArray(new String[0])))
                .map(rows -> {
                    Set<String> started = new HashSet<>();
                    for (Row r : rows) {
                        started.add(r.getString(0));
                    }
                    return started;
                });
    }

    /** Accounts whose membership currently points at them through any of these identifiers. */
    public Uni<Set<String>> accountsOfIdentifiers(SqlClient tx, String workspace, Set<String> identifiers) {
        return strings(tx, "select distinct account_id from membership where workspace_id = $1 and identifier = any($2)"
                + " and account_id is not null", Tuple.of(workspace, identifiers.toArray(new String[0])));
    }

    /** The identifiers the stored touches with these ids carry (an offline touch may be upserted with new ones). */
    public Uni<Set<String>> identifiersOfTouches(SqlClient tx, String workspace, Set<String> touchIds) {
        return strings(tx, "select distinct unnest(identifiers) from touch where workspace_id = $1 and id = any($2)",
                Tuple.of(workspace, touchIds.toArray(new String[0])));
    }

    /** Every identifier of the touches that carry one of {@code identifiers}. */
    public Uni<Set<String>> identifiersOfTouchesNaming(SqlClient tx, String workspace, Set<String> identifiers) {
        return strings(tx, "select distinct unnest(identifiers) from touch where workspace_id = $1 and identifiers && $2",
                Tuple.of(workspace, identifiers.toArray(new String[0])));
    }

    public Uni<Set<String>> accountsOfOpportunities(SqlClient tx, String workspace, Set<String> ids) {
        return strings(tx, "select distinct account_id from opportunity where workspace_id = $1 and id = any($2)"
                + " and account_id is not null", Tuple.of(workspace, ids.toArray(new String[0])));
    }

    /** Opportunities whose account derives from one of these contacts (V11): id to account, "" while they have none. */
    public Uni<Map<String, String>> derivedOpportunities(SqlClient tx, String workspace, Set<String> contactIds) {
        if (contactIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return tx.preparedQuery("select id, account_id from opportunity where workspace_id = $1 and account_derived"
                        + " and contact_ids[1] = any($2)")
                .execute(Tuple.of(workspace, contactIds.toArray(new String[0])))
                .map(rows -> {
                    Map<String, String> out = new HashMap<>();
                    for (Row r : rows) {
                        String account = r.getString("account_id");
                        out.put(r.getString("id"), account == null ? "" : account);
                    }
                    return out;
                });
    }

    /** The contacts' accounts and the accounts of opportunities naming them as contact roles. */
    public Uni<Set<String>> accountsOfContacts(SqlClient tx, String workspace, Set<String> ids) {
        String[] array = ids.toArray(new String[0]);
        return strings(tx, """
                select account_id from contact where workspace_id = $1 and id = any($2) and account_id is not null
                union
                select account_id from opportunity where workspace_id = $1 and contact_ids && $2 and account_id is not null""",
                Tuple.of(workspace, array));
    }

    /**
     * The journey inputs of these accounts, plus the opportunities without an account among
     * {@code accountlessOpportunities} (they are unattributed: no touches).
     */
    public Uni<List<AccountState>> load(SqlClient tx, String workspace, Set<String> accounts,
                                        Set<String> accountlessOpportunities) {
        String[] accountArray = accounts.toArray(new String[0]);
        return tx.preparedQuery(JourneyRepository.DEAL + """
                         where o.workspace_id = $1 and (o.account_id = any($2) or (o.account_id is null and o.id = any($3)))""")
                .execute(Tuple.of(workspace, accountArray, accountlessOpportunities.toArray(new String[0])))
                .chain(oppRows -> {
                    Map<String, List<Opportunity>> opportunities = new LinkedHashMap<>();
                    List<Opportunity> accountless = new ArrayList<>();
                    for (Row r : oppRows) {
                        Opportunity o = JourneyRepository.opportunity(r);
                        String account = r.getString("account_id");
                        if (account == null) {
                            accountless.add(o);
                        } else {
                            opportunities.computeIfAbsent(account, a -> new ArrayList<>()).add(o);
                        }
                    }
                    Uni<Map<String, List<TouchRow>>> touches = opportunities.isEmpty() ? Uni.createFrom().item(Map.of())
                            : tx.preparedQuery(TOUCHES_OF_ACCOUNTS)
                            .execute(Tuple.of(workspace, opportunities.keySet().toArray(new String[0])))
                            .map(rows -> {
                                Map<String, List<TouchRow>> byAccount = new LinkedHashMap<>();
                                for (Row r : rows) {
                                    byAccount.computeIfAbsent(r.getString("account_id"), a -> new ArrayList<>()).add(JourneyRepository.touch(r, Set.of()));
                                }
                                return byAccount;
                            });
                    return touches.map(byAccount -> {
                        List<AccountState> states = new ArrayList<>();
                        opportunities.forEach((account, opps) ->
                                states.add(new AccountState(account, opps, byAccount.getOrDefault(account, List.of()))));
                        if (!accountless.isEmpty()) {
                            states.add(new AccountState(null, accountless, List.of()));
                        }
                        return states;
                    });
                });
    }

    /** Adds the delta rows to a generation's part −1, in {@link CreditRollup#ORDER} so concurrent writers never deadlock. */
    public Uni<Void> addRows(SqlClient tx, String workspace, int generation, List<RollupRow> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = rows.size();
        int width = CreditRollup.WIDTH;
        int counted = CreditRollup.MODELS.size();
        String[] basis = new String[n];
        String[] dimension = new String[n];
        LocalDate[] day = new LocalDate[n];
        String[] key = new String[n];
        Double[] credit = new Double[n * width];
        Double[] amount = new Double[n * width];
        Double[] opportunities = new Double[n * counted];
        for (int i = 0; i < n; i++) {
            RollupRow r = rows.get(i);
            basis[i] = r.basis();
            dimension[i] = r.dimension();
            day[i] = r.day();
            key[i] = r.key();
            for (int m = 0; m < width; m++) {
                credit[i * width + m] = r.credit()[m];
                amount[i * width + m] = r.amount()[m];
            }
            for (int m = 0; m < counted; m++) {
                opportunities[i * counted + m] = r.opportunities()[m];
            }
        }
        // The model arrays travel flattened (row i's elements at i*width+1 .. (i+1)*width) and are added element-wise.
        return tx.preparedQuery("""
                        insert into credit_rollup (workspace_id, generation, basis, dimension, day, key, part, credit, amount, opportunities)
                        select $1, $2, b, d, dy, k, -1, ($7::float8[])[(i - 1) * $10 + 1 : i * $10],
                               ($8::float8[])[(i - 1) * $10 + 1 : i * $10], ($9::float8[])[(i - 1) * $11 + 1 : i * $11]
                        from unnest($3::text[], $4::text[], $5::date[], $6::text[]) with ordinality as x(b, d, dy, k, i)
                        order by i
                        on conflict (workspace_id, generation, basis, dimension, day, key) where part = -1 do update
                            set credit = (select array_agg(a + e order by j) from unnest(credit_rollup.credit, excluded.credit)
                                              with ordinality as u(a, e, j)),
                                amount = (select array_agg(a + e order by j) from unnest(credit_rollup.amount, excluded.amount)
                                              with ordinality as u(a, e, j)),
                                opportunities = (select array_agg(a + e order by j)
                                                 from unnest(credit_rollup.opportunities, excluded.opportunities)
                                                     with ordinality as u(a, e, j))""")
                .execute(Tuple.of(workspace, generation).addArrayOfString(basis).addArrayOfString(dimension)
                        .addArrayOfLocalDate(day).addArrayOfString(key).addArrayOfDouble(credit).addArrayOfDouble(amount)
                        .addArrayOfDouble(opportunities).addInteger(width).addInteger(counted))
                .replaceWithVoid();
    }

    /** Adds won-deal rows (counts) to a generation's delta rows (part −1), in {@link DealRow#ORDER}. */
    public Uni<Void> addDeals(SqlClient tx, String workspace, int generation, List<DealRow> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = rows.size();
        String[] dimension = new String[n];
        LocalDate[] day = new LocalDate[n];
        String[] opportunity = new String[n];
        Double[] days = new Double[n];
        String[] profile = new String[n];
        Integer[] count = new Integer[n];
        for (int i = 0; i < n; i++) {
            DealRow r = rows.get(i);
            dimension[i] = r.dimension();
            day[i] = r.day();
            opportunity[i] = r.opportunityId();
            days[i] = r.daysToConversion();
            profile[i] = r.profile();
            count[i] = r.count();
        }
        return tx.preparedQuery("""
                        insert into won_deal_rollup (workspace_id, generation, part, dimension, day, opportunity_id,
                                                     days_to_conversion, profile, count)
                        select $1, $2, -1, d, dy, o, dd, p, c
                        from unnest($3::text[], $4::date[], $5::text[], $6::float8[], $7::text[], $8::int[])
                            with ordinality as x(d, dy, o, dd, p, c, i)
                        order by i
                        on conflict (workspace_id, generation, dimension, day, opportunity_id, days_to_conversion, md5(profile))
                            where part = -1 do update set count = won_deal_rollup.count + excluded.count""")
                .execute(Tuple.of(workspace, generation).addArrayOfString(dimension).addArrayOfLocalDate(day)
                        .addArrayOfString(opportunity).addArrayOfDouble(days).addArrayOfString(profile)
                        .addArrayOfInteger(count))
                .replaceWithVoid();
    }

    /**
     * One basis and dimension of a generation as running sums over days (DaySums) of {@code columns}: its full recompute's
     * series (rollup_series, every part: unchanged while the generation lasts), or its incremental deltas (credit_rollup,
     * part −1). The series' chunks (a few, of about 4 MB) are decoded off the event loop; the deltas' rows, few and small,
     * are folded as they arrive, never held as a row set.
     */
    public Uni<DaySums> daySums(Pool pool, String workspace, int generation, String basis, String dimension,
                                RollupColumns columns, boolean deltas, KeyNumbers numbers) {
        int width = columns.indexWidth();
        if (!deltas) {
            return pool.preparedQuery("""
                            select cells from rollup_series
                            where workspace_id = $1 and generation = $2 and basis = $3 and dimension = $4 and columns = $5""")
                    .execute(Tuple.of(workspace, generation, basis, dimension, columns.indexName()))
                    .emitOn(Infrastructure.getDefaultWorkerPool()).map(rows -> {
                        DaySums.Builder builder = DaySums.builder(width, numbers);
                        for (Row r : rows) {
                            SeriesCodec.decode(r.getBuffer(0).getBytes(), width, builder);
                        }
                        return builder.build();
                    });
        }
        double[] cell = new double[width];
        Collector<io.vertx.sqlclient.Row, DaySums.Builder, DaySums.Builder> collector = Collector.of(
                () -> DaySums.builder(width, numbers), (builder, r) -> {
                    for (int c = 0; c < width; c++) {
                        Double v = r.getDouble(2 + c);
                        cell[c] = v == null ? 0 : v;
                    }
                    builder.add(r.getString(0), r.getInteger(1), cell, 0);
                }, (a, b) -> {
                    throw new IllegalStateException("rows are read in sequence");
                });
        String sql = "select key, day - date '1970-01-01', " + columns.indexSelect() + """
                 from credit_rollup
                where workspace_id = $1 and generation = $2 and basis = $3 and dimension = $4 and part = -1""";
        return Uni.createFrom().completionStage(() -> pool.getDelegate().preparedQuery(sql).collecting(collector)
                        .execute(io.vertx.sqlclient.Tuple.of(workspace, generation, basis, dimension)).toCompletionStage())
                .emitOn(Infrastructure.getDefaultWorkerPool()).map(result -> result.value().build());
    }

    /** The won deals present in a generation for one dimension (their rows' counts sum to 1), by close day; parsed off the event loop. */
    public Uni<WonDealDays> wonDealDays(Pool pool, String workspace, int generation, String dimension, KeyNumbers numbers) {
        return pool.preparedQuery("""
                        select day - date '1970-01-01', days_to_conversion, profile
                        from won_deal_rollup
                        where workspace_id = $1 and generation = $2 and dimension = $3
                        group by opportunity_id, day, days_to_conversion, profile
                        having sum(count) > 0""")
                .execute(Tuple.of(workspace, generation, dimension))
                .emitOn(Infrastructure.getDefaultWorkerPool()).map(rows -> {
                    WonDealDays.Builder builder = WonDealDays.builder(numbers);
                    for (Row r : rows) {
                        builder.add(r.getInteger(0), r.getDouble(1), r.getString(2));
                    }
                    return builder.build();
                });
    }

    /** Catch-up mode (IncrementalRollups): reports compute on demand until the recompute that ends it. */
    public Uni<Void> startCatchUp(SqlClient tx, String workspace) {
        return tx.preparedQuery("update rollup_state set ready = false, catching_up = true, updated_at = now() where workspace_id = $1")
                .execute(Tuple.of(workspace)).replaceWithVoid();
    }

    public Uni<Void> touchState(SqlClient tx, String workspace) {
        return tx.preparedQuery("update rollup_state set updated_at = now() where workspace_id = $1")
                .execute(Tuple.of(workspace)).replaceWithVoid();
    }

    // A touch reached through several identifiers of one account counts once.
    static final String TOUCHES_OF_ACCOUNTS = """
            select distinct on (m.account_id, t.id) m.account_id, t.id, t.occurred_at, t.type, t.channel, t.source,
                   t.medium, t.campaign, t.content
            from membership m
            join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
            where m.workspace_id = $1 and m.account_id = any($2)""";

    private static Uni<Set<String>> strings(SqlClient tx, String sql, Tuple args) {
        return tx.preparedQuery(sql).execute(args).map(rows -> {
            Set<String> set = new HashSet<>();
            for (Row r : rows) {
                set.add(r.getString(0));
            }
            return set;
        });
    }
}
