package io.closedloop.attribution.repository;

import io.agroal.api.AgroalDataSource;
import io.closedloop.attribution.journey.AccountTouches;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.OnDemandLimitException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads what journeys are built from. Every read is bounded by workspace and a time range
 * (reports computed on demand load the period's rows; the rollups are read by RollupReports).
 */
@ApplicationScoped
public class JourneyRepository {

    // The lead-creation time from the journey_opportunity view (V19), as every journey reads it.
    private static final String OPPORTUNITY = """
            select o.id, o.account_id, o.amount, o.currency, o.created_at, o.status, o.closed_at, o.lead_created_at,
                   array(select distinct m.person_id from membership m
                         where m.workspace_id = o.workspace_id and m.person_id is not null
                           and m.identifier in (select 'contact_id:' || c from unnest(o.contact_ids) as c)) as role_persons
            from journey_opportunity o
            """;
    // The same without the people: no subquery of memberships per opportunity (the rollups read this too).
    static final String DEAL = """
            select o.id, o.account_id, o.amount, o.currency, o.created_at, o.status, o.closed_at, o.lead_created_at
            from journey_opportunity o
            """;

    private final Pool pool;
    private final AgroalDataSource dataSource;
    private final int maxRows;

    public JourneyRepository(Pool pool, AgroalDataSource dataSource,
                             @ConfigProperty(name = "closedloop.reports.on-demand-max-rows", defaultValue = "3000000") int maxRows) {
        this.pool = pool;
        this.dataSource = dataSource;
        this.maxRows = maxRows;
    }

    /**
     * Moves the deals version of {@code workspaces}: in the transaction of a change to their opportunities' ids, accounts,
     * amounts, times or status.
     */
    public static Uni<Void> dealsChanged(SqlClient tx, Collection<String> workspaces) {
        return workspaces.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into journey_version (workspace_id, version, deals_version)
                        select distinct w, 0, 1 from unnest($1::text[]) as w order by w
                        on conflict (workspace_id) do update set deals_version = journey_version.deals_version + 1""")
                .execute(Tuple.of(workspaces.toArray(String[]::new))).replaceWithVoid();
    }

    /** A workspace's versions now: of its touches and memberships, and of its opportunities (0, 0 before any). */
    public record Versions(long touches, long deals) {
    }

    public Uni<Versions> versions(String workspace) {
        return pool.preparedQuery("select version, deals_version from journey_version where workspace_id = $1")
                .execute(Tuple.of(workspace)).map(rows -> {
                    if (rows.size() == 0) {
                        return new Versions(0, 0);
                    }
                    Row r = rows.iterator().next();
                    return new Versions(r.getLong(0), r.getLong(1));
                });
    }

    /**
     * Moves the journey version of {@code workspace} and counts an erasure: in the erasure's transaction (which keeps no
     * version of what it removes, so a copy in memory from before it is read whole again).
     */
    public static Uni<Void> erased(SqlClient tx, String workspace) {
        return tx.preparedQuery("""
                        insert into journey_version (workspace_id, version, erasures) values ($1, 1, 1)
                        on conflict (workspace_id) do update set version = journey_version.version + 1,
                            erasures = journey_version.erasures + 1""")
                .execute(Tuple.of(workspace)).replaceWithVoid();
    }

    /** Moves the journey version of {@code workspaces}: in the transaction of a change to their touches or memberships. */
    public static Uni<Void> changed(SqlClient tx, Collection<String> workspaces) {
        return workspaces.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery("""
                        insert into journey_version (workspace_id, version)
                        select distinct w, 1 from unnest($1::text[]) as w order by w
                        on conflict (workspace_id) do update set version = journey_version.version + 1""")
                .execute(Tuple.of(workspaces.toArray(String[]::new))).replaceWithVoid();
    }

    /**
     * The workspace's touches of every identifier resolved to an account, per account, with the journey version they
     * are at (one snapshot). Blocking: call it on a worker thread. One binary COPY sorted by account: no text formatting
     * on the server, no row object here (a read-only snapshot holds back no feed's horizon, so no statement timeout).
     * At most {@code closedloop.reports.on-demand-max-rows} rows, as every read of journeys computed on demand.
     */
    public AccountTouches accountTouches(String workspace) throws SQLException {
        return accountTouches(workspace, null).touches();
    }

    /** A read of a workspace's touches: how many accounts were read into an older copy (-1: the whole workspace). */
    public record TouchesRead(AccountTouches touches, int accountsRead) {
    }

    /**
     * {@link #accountTouches(String)}, or given an {@code older} copy, that copy brought up to date by reading only the
     * accounts whose touches or memberships changed since its moment: touches written since (their identifiers' accounts),
     * touches replaced since (their earlier identifiers'), memberships written or replaced since (their accounts then and
     * now). The whole workspace is read when an erasure came since (it keeps no version of what it removes) or when more
     * than a quarter of the accounts changed.
     */
    public TouchesRead accountTouches(String workspace, AccountTouches older) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                long version;
                long erasures;
                String moment;
                try (PreparedStatement s = c.prepareStatement("select v.version, v.erasures, pg_current_snapshot()::text"
                        + " from (select 1) one left join journey_version v on v.workspace_id = ?")) {
                    s.setString(1, workspace);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        version = r.getLong(1);
                        erasures = r.getLong(2);
                        moment = r.getString(3);
                    }
                }
                try (Statement s = c.createStatement()) {
                    // The sort by account runs in PostgreSQL's memory rather than on disk.
                    s.execute("set local work_mem = '256MB'");
                }
                Set<String> changed = older == null || older.moment() == null || older.erasures() != erasures ? null
                        : changedAccounts(c, workspace, older.moment());
                if (changed != null && changed.size() <= older.accountCount() / 4) {
                    AccountTouches fresh = copyTouches(c, workspace, changed, version, moment, erasures);
                    AccountTouches refreshed = older.refreshed(changed, fresh);
                    if (refreshed.touchCount() > maxRows) {
                        throw new OnDemandLimitException("the workspace's journeys hold more than " + maxRows + " touches"
                                + " of resolved identifiers, more than a report computed on demand may load");
                    }
                    return new TouchesRead(refreshed, changed.size());
                }
                return new TouchesRead(copyTouches(c, workspace, null, version, moment, erasures), -1);
            } finally {
                c.rollback();
            }
        }
    }

    /** The accounts whose touches may differ between {@code moment} and this transaction's snapshot (see accountTouches). */
    private static Set<String> changedAccounts(Connection c, String workspace, String moment) throws SQLException {
        String since = "%1$s >= pg_snapshot_xmin(m.a) and not pg_visible_in_snapshot(%1$s, m.a)";
        String sql = """
                with m as (select ?::text::pg_snapshot as a),
                identifiers as (
                    select unnest(t.identifiers) as identifier from touch t, m where t.workspace_id = ? and %s
                    union
                    select jsonb_array_elements_text(r.old -> 'identifiers') from replaced_row r, m
                    where r.workspace_id = ? and r.entity = 'touch' and %s)
                select account_id from membership
                where workspace_id = ? and account_id is not null and identifier in (select identifier from identifiers)
                union
                select mm.account_id from membership mm, m where mm.workspace_id = ? and mm.account_id is not null and %s
                union
                select r.old ->> 'account_id' from replaced_row r, m
                where r.workspace_id = ? and r.entity = 'membership' and r.old ->> 'account_id' is not null and %s"""
                .formatted(since.formatted("t.written_by"), since.formatted("r.replaced_by"), since.formatted("mm.written_by"),
                        since.formatted("r.replaced_by"));
        Set<String> out = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, moment);
            for (int i = 2; i <= 6; i++) {
                s.setString(i, workspace);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    /** One binary COPY of the touches of {@code accounts} (null: of every account), sorted by account. */
    private AccountTouches copyTouches(Connection c, String workspace, Set<String> accounts, long version, String moment,
                                       long erasures) throws SQLException {
        AccountTouches.Builder touches = AccountTouches.builder(version, moment, erasures);
        // COPY takes no parameters: the workspace (and the accounts) go in as literals.
        String sql = accounts == null ? """
                copy (select m.account_id collate "C", t.id, t.occurred_at, t.type, t.channel, t.source, t.medium,
                             t.campaign, t.content
                      from touch t
                      cross join lateral unnest(t.identifiers) as i(identifier)
                      join membership m on m.workspace_id = t.workspace_id and m.identifier = i.identifier
                      where t.workspace_id = %s and m.account_id is not null
                      order by 1) to stdout (format binary)""".formatted(literal(workspace))
                // A few accounts: their identifiers, then each one's touches through the touches' identifier index.
                : """
                copy (select m.account_id collate "C", t.id, t.occurred_at, t.type, t.channel, t.source, t.medium,
                             t.campaign, t.content
                      from membership m
                      join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
                      where m.workspace_id = %s and m.account_id = any(%s::text[])
                      order by 1) to stdout (format binary)""".formatted(literal(workspace), literal(arrayLiteral(accounts)));
        try (BinaryCopyReader rows = new BinaryCopyReader(new PGCopyInputStream(c.unwrap(PGConnection.class), sql), 9)) {
            for (long read = 0; rows.nextRow(); read++) {
                if (read == maxRows) {
                    throw new OnDemandLimitException("the workspace's journeys hold more than " + maxRows + " touches"
                            + " of resolved identifiers, more than a report computed on demand may load");
                }
                touches.add(rows.sharedText(), rows.text(), rows.millis(), rows.sharedText(), rows.sharedText(),
                        rows.sharedText(), rows.sharedText(), rows.sharedText(), rows.sharedText());
            }
        } catch (IOException e) {
            throw new SQLException("reading the touches of workspace " + workspace + " failed", e);
        }
        return touches.build();
    }

    /** A string as an SQL literal. */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Strings as the text of a PostgreSQL array, each element quoted. */
    private static String arrayLiteral(Set<String> values) {
        StringBuilder out = new StringBuilder("{");
        for (String v : values) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return out.append('}').toString();
    }

    /** The opportunities of {@code ids} the workspace has (the others are left out), by id. */
    public Uni<List<Opportunity>> opportunities(String workspace, Collection<String> ids) {
        return list(OPPORTUNITY + " where o.workspace_id = $1 and o.id = any($2) order by o.id",
                Tuple.of(workspace, ids.toArray(String[]::new)));
    }

    /** Opportunities created in [from, to). */
    public Uni<List<Opportunity>> createdIn(String workspace, Instant from, Instant to) {
        return createdIn(workspace, from, to, null);
    }

    /** Opportunities created in [from, to) of the given accounts ({@code accounts} null: of any account, or none). */
    public Uni<List<Opportunity>> createdIn(String workspace, Instant from, Instant to, Collection<String> accounts) {
        return list(OPPORTUNITY + " where o.workspace_id = $1 and o.created_at >= $2 and o.created_at < $3" + ofAccounts(accounts)
                + " order by o.id", args(Tuple.of(workspace, utc(from), utc(to)), accounts));
    }

    /** Opportunities won or lost with their close in [from, to) of the given accounts ({@code accounts} null: any). */
    public Uni<List<Opportunity>> closedIn(String workspace, Instant from, Instant to, Collection<String> accounts) {
        return list(OPPORTUNITY + " where o.workspace_id = $1 and o.status in ('WON', 'LOST')"
                + " and o.closed_at >= $2 and o.closed_at < $3" + ofAccounts(accounts) + " order by o.id",
                args(Tuple.of(workspace, utc(from), utc(to)), accounts));
    }

    /**
     * Every opportunity of the workspace with its lead-creation time but without its people (what ACCOUNT journeys read),
     * by id in code point order: as new as the deals version read before it, or newer.
     */
    public Uni<List<Opportunity>> deals(String workspace) {
        return list(DEAL + " where o.workspace_id = $1 order by o.id collate \"C\"", Tuple.of(workspace));
    }

    private static String ofAccounts(Collection<String> accounts) {
        return accounts == null ? "" : " and o.account_id = any($4)";
    }

    private static Tuple args(Tuple args, Collection<String> accounts) {
        return accounts == null ? args : args.addArrayOfString(accounts.toArray(String[]::new));
    }

    /**
     * Touches in [from, to] of every identifier resolved to an account, per account (a touch
     * reached through several identifiers of one account appears once). Touches whose identifiers
     * resolve to no account are not part of any account's journey.
     */
    public Uni<Map<String, List<TouchRow>>> touchesByAccount(String workspace, Instant from, Instant to) {
        return bounded(pool.preparedQuery("""
                select m.account_id, t.id, t.occurred_at, t.type, t.channel, t.source, t.medium, t.campaign, t.content,
                       m.person_id
                from touch t
                cross join lateral unnest(t.identifiers) as i(identifier)
                join membership m on m.workspace_id = t.workspace_id and m.identifier = i.identifier
                where t.workspace_id = $1 and t.occurred_at >= $2 and t.occurred_at <= $3
                  and m.account_id is not null
                limit $4""").execute(Tuple.of(workspace, utc(from), utc(to), maxRows + 1)));
    }

    /** A time window [from, to] of the touches read for one account or person ({@code id}). */
    public record Window(String id, Instant from, Instant to) {
    }

    /**
     * Touches of the given accounts, each in its own window, per account (as {@link #touchesByAccount}): one statement for
     * any number of accounts, each read from its memberships through the touches' identifier index.
     */
    public Uni<Map<String, List<TouchRow>>> touchesOfAccounts(String workspace, Collection<Window> windows) {
        return windowed(workspace, windows, "m.account_id = w.id");
    }

    /**
     * Touches of the given persons, each in its own window, wherever the persons are resolved, per account (the
     * CONTACT_ROLES journeys of opportunities): each row names only those of its persons that are among {@code windows}.
     */
    public Uni<Map<String, List<TouchRow>>> touchesOfPersons(String workspace, Collection<Window> windows) {
        return windowed(workspace, windows, "m.person_id = w.id and m.account_id is not null");
    }

    private Uni<Map<String, List<TouchRow>>> windowed(String workspace, Collection<Window> windows, String membership) {
        if (windows.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        String[] ids = new String[windows.size()];
        OffsetDateTime[] from = new OffsetDateTime[ids.length];
        OffsetDateTime[] to = new OffsetDateTime[ids.length];
        int i = 0;
        for (Window w : windows) {
            ids[i] = w.id();
            from[i] = utc(w.from());
            to[i++] = utc(w.to());
        }
        return bounded(pool.preparedQuery("""
                select m.account_id, t.id, t.occurred_at, t.type, t.channel, t.source, t.medium, t.campaign, t.content,
                       m.person_id
                from unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) as w(id, since, until)
                join membership m on m.workspace_id = $1 and %s
                join touch t on t.workspace_id = m.workspace_id and t.identifiers @> array[m.identifier]
                    and t.occurred_at >= w.since and t.occurred_at <= w.until
                limit $5""".formatted(membership)).execute(Tuple.of(workspace, ids, from, to, maxRows + 1)));
    }

    /** Journeys computed on demand hold these rows in memory: at most maxRows (the one more read tells it was cut). */
    private Uni<Map<String, List<TouchRow>>> bounded(Uni<RowSet<Row>> read) {
        return read.map(rows -> {
            if (rows.size() > maxRows) {
                throw new OnDemandLimitException("the period's journeys hold more than " + maxRows + " touches of"
                        + " resolved identifiers, more than a report computed on demand may load; choose a shorter"
                        + " period or a model read from the rollups");
            }
            return byAccount(rows);
        });
    }

    /** Rows of (account, touch, person) to each account's touches, a touch once per account with all its persons. */
    private static Map<String, List<TouchRow>> byAccount(RowSet<Row> rows) {
        Map<String, Map<String, TouchRow>> byAccount = new HashMap<>();
        for (Row r : rows) {
            String person = r.getString("person_id");
            byAccount.computeIfAbsent(r.getString("account_id"), a -> new HashMap<>()).compute(r.getString("id"), (id, seen) -> {
                if (seen != null) {
                    if (person != null) {
                        seen.personIds().add(person);
                    }
                    return seen;
                }
                Set<String> persons = new TreeSet<>();
                if (person != null) {
                    persons.add(person);
                }
                return touch(r, persons);
            });
        }
        Map<String, List<TouchRow>> lists = new HashMap<>();
        byAccount.forEach((account, touches) -> lists.put(account, new ArrayList<>(touches.values())));
        return lists;
    }

    /** A row naming a touch's columns (id, occurred_at, type, channel, source, medium, campaign, content). */
    static TouchRow touch(Row r, Set<String> persons) {
        return new TouchRow(r.getString("id"), r.getOffsetDateTime("occurred_at").toInstant(), r.getString("type"),
                r.getString("channel"), r.getString("source"), r.getString("medium"), r.getString("campaign"),
                r.getString("content"), persons);
    }

    private Uni<List<Opportunity>> list(String sql, Tuple args) {
        return pool.preparedQuery(sql).execute(args).map(rows -> {
            List<Opportunity> list = new ArrayList<>();
            for (Row r : rows) {
                list.add(opportunity(r));
            }
            return list;
        });
    }

    /** A row of OPPORTUNITY, or of DEAL (without the people: no persons), by position. */
    static Opportunity opportunity(Row r) {
        boolean people = r.size() > 8;
        return new Opportunity(r.getString(0), r.getString(1), r.getBigDecimal(2), r.getString(3), instant(r, 4), r.getString(5),
                instant(r, 6), instant(r, 7), people ? Set.of(r.getArrayOfStrings(8)) : Set.of());
    }

    private static Instant instant(Row r, int column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
