package io.closedloop.attribution.repository;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.OnDemandLimitException;
import io.closedloop.attribution.journey.TouchRow;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads what journeys and spend were at two moments (V24): every version of the rows that belonged to either, each marked
 * with the moments it belongs to. A moment is a PostgreSQL snapshot as text (pg_current_snapshot()); null is now.
 */
@ApplicationScoped
public class VersionRepository {

    /**
     * A version of a touch (as journeys read it, without persons) with its identifiers, and whether it belonged to the
     * earlier moment ({@code then}) and to the later ({@code now}).
     */
    public record TouchVersion(TouchRow touch, List<String> identifiers, boolean then, boolean now) {
    }

    public record MembershipVersion(String identifier, String personId, String accountId, boolean then, boolean now) {
    }

    public record DealVersion(String id, String accountId, BigDecimal amount, String currency, Instant createdAt, String status,
                              Instant closedAt, List<String> contactIds, boolean then, boolean now) {
    }

    public record ContactVersion(String id, String accountId, Instant leadCreatedAt, boolean then, boolean now) {
    }

    /** The versions of some accounts' deals, their contacts, memberships and touches. */
    public record Versions(List<DealVersion> deals, List<ContactVersion> contacts, List<MembershipVersion> memberships,
                           List<TouchVersion> touches) {
    }

    /** What differs between two moments: the accounts whose journeys may differ, and the deals and contacts that did. */
    public record Changed(Set<String> accounts, Set<String> deals, Set<String> contacts) {
    }

    // The two moments ($2 then, $3 now) and the oldest transaction either may not have seen: a version written and
    // replaced (or still current) before it belongs to both or to neither.
    private static final String MOMENTS = """
            with m as (select $2::text::pg_snapshot as a, $3::text::pg_snapshot as b,
                              least(pg_snapshot_xmin($2::text::pg_snapshot),
                                    pg_snapshot_xmin(coalesce($3::text::pg_snapshot, pg_current_snapshot()))) as x)
            """;

    private static String differs(String alias) {
        return " (%1$s.written_by >= m.x or %1$s.replaced_by >= m.x) and in_moment(%1$s.written_by, %1$s.replaced_by, m.a)"
                .formatted(alias) + " is distinct from in_moment(%1$s.written_by, %1$s.replaced_by, m.b) ".formatted(alias);
    }

    private static String inEither(String alias) {
        return " (in_moment(%1$s.written_by, %1$s.replaced_by, m.a) or in_moment(%1$s.written_by, %1$s.replaced_by, m.b)) "
                .formatted(alias);
    }

    private static String flags(String alias) {
        return " in_moment(%1$s.written_by, %1$s.replaced_by, m.a), in_moment(%1$s.written_by, %1$s.replaced_by, m.b) "
                .formatted(alias);
    }

    /** Identifiers of one look-up of current touches (one bitmap scan of the identifier index). */
    private static final int IDENTIFIERS_PER_STATEMENT = 1000;

    private final Pool pool;
    private final int maxRows;

    public VersionRepository(Pool pool,
                             @ConfigProperty(name = "closedloop.reports.on-demand-max-rows", defaultValue = "3000000") int maxRows) {
        this.pool = pool;
        this.maxRows = maxRows;
    }

    /** A moment in the log of data versions (V25) and when it was logged. */
    public record LoggedMoment(Instant takenAt, String moment) {
    }

    /** Logs the moment now as a data version (statement_timestamp(): a moment is never later than its time). */
    public Uni<Void> logMoment() {
        return pool.query("insert into data_moment (taken_at, moment) values (statement_timestamp(),"
                + " pg_current_snapshot()::text) on conflict (taken_at) do nothing").execute().replaceWithVoid();
    }

    /**
     * Deletes up to {@code batch} versions replaced before {@code before}, and the moments logged before it (no question can
     * be asked of them any more); how many versions went.
     */
    public Uni<Integer> forget(Instant before, int batch) {
        return pool.preparedQuery("delete from data_moment where taken_at < $1").execute(Tuple.of(utc(before)))
                // Rows another replica is deleting are skipped, not waited for: replicas share the work.
                .chain(() -> pool.preparedQuery("delete from replaced_row where ctid = any(array(select ctid from replaced_row"
                        + " where replaced_at < $1 limit $2 for update skip locked))").execute(Tuple.of(utc(before), batch)))
                .map(rows -> rows.rowCount());
    }

    /** The last moment logged at or before {@code at}; null when none is. */
    public Uni<LoggedMoment> momentAt(Instant at) {
        return pool.preparedQuery("select taken_at, moment from data_moment where taken_at <= $1 order by taken_at desc limit 1")
                .execute(Tuple.of(utc(at))).map(rows -> rows.size() == 0 ? null
                        : new LoggedMoment(instant(rows.iterator().next(), 0), rows.iterator().next().getString(1)));
    }

    /** The workspace's settings at {@code moment} (V25): the defaults when it had none then. */
    public Uni<AttributionSettings> settings(String workspace, String moment) {
        return customPlans(tx -> tx.preparedQuery(MOMENTS + "select s.lookback_days, s.half_life_days, s.journey_scope"
                + " from attribution_settings_version s, m where s.workspace_id = $1 and in_moment(s.written_by, s.replaced_by, m.a)")
                .execute(Tuple.of(workspace, moment, null))).map(rows -> {
                    AttributionSettings out = AttributionSettings.defaults(workspace);
                    for (Row r : rows) {
                        out.lookbackDays = r.getInteger(0);
                        out.halfLifeDays = r.getDouble(1);
                        out.journeyScope = JourneyScope.valueOf(r.getString(2));
                    }
                    return out;
                });
    }

    /** The moment now: what a snapshot computed next is computed from (or newer). */
    public Uni<String> moment() {
        return pool.query("select pg_current_snapshot()::text").execute().map(rows -> rows.iterator().next().getString(0));
    }

    /**
     * What differs between {@code then} and {@code now} (null: now): deals and contacts with a different version, and the
     * accounts of every version of them, of a membership that differs, and of the identifiers of a touch that differs.
     */
    public Uni<Changed> changed(String workspace, String then, String now) {
        String sql = MOMENTS + """
                , touched as (select distinct unnest(t.identifiers) as identifier from touch_version t, m
                              where t.workspace_id = $1 and %s),
                  moved as (select v.identifier from membership_version v, m where v.workspace_id = $1 and %s)
                select 'account', v.account_id from membership_version v, m
                where v.workspace_id = $1 and v.account_id is not null and %s
                  and (v.identifier in (select identifier from touched) or v.identifier in (select identifier from moved))
                union
                select 'deal', o.id from opportunity_version o, m where o.workspace_id = $1 and %s
                union
                select 'account', o.account_id from opportunity_version o, m
                where o.workspace_id = $1 and o.account_id is not null and %s
                union
                select 'contact', c.id from contact_version c, m where c.workspace_id = $1 and %s
                union
                select 'account', c.account_id from contact_version c, m
                where c.workspace_id = $1 and c.account_id is not null and %s"""
                .formatted(differs("t"), differs("v"), inEither("v"), differs("o"), differs("o"), differs("c"), differs("c"));
        return customPlans(tx -> tx.preparedQuery(sql).execute(Tuple.of(workspace, then, now))).map(rows -> {
            Changed changed = new Changed(new HashSet<>(), new HashSet<>(), new HashSet<>());
            for (Row r : rows) {
                switch (r.getString(0)) {
                    case "account" -> changed.accounts().add(r.getString(1));
                    case "deal" -> changed.deals().add(r.getString(1));
                    default -> changed.contacts().add(r.getString(1));
                }
            }
            return changed;
        });
    }

    /**
     * Every version at either moment of the deals created or closed in [from, to) that {@code changed} reached (its
     * accounts', its deals, those naming one of its contacts; null: every such deal, what a change of settings reaches), and
     * of what their journeys read: the contacts of their accounts or named by them, the memberships resolved to those
     * accounts, and every touch before {@code to} of their identifiers (at most
     * {@code closedloop.reports.on-demand-max-rows}). A deal outside the period gives a report of it nothing.
     */
    public Uni<Versions> versions(String workspace, String then, String now, Changed changed, Instant from, Instant to) {
        return versions(workspace, then, now, changed, from, to, Set.of(), false);
    }

    /**
     * {@link #versions}, and the memberships and touches of {@code accounts} too, whether or not a deal of the period reached
     * them (a data-driven model's population holds every account's touches); with {@code rolePersons}, those of the persons
     * the deals' contact roles were resolved to as well, wherever those persons were resolved (CONTACT_ROLES journeys).
     */
    public Uni<Versions> versions(String workspace, String then, String now, Changed changed, Instant from, Instant to,
                                  Set<String> accounts, boolean rolePersons) {
        String inPeriod = " (o.created_at >= $4 and o.created_at < $5 or o.closed_at >= $4 and o.closed_at < $5) ";
        return mergePendingIdentifiers().chain(() -> customPlans(tx -> {
            Uni<List<DealVersion>> deals = changed == null
                    ? dealVersions(tx, inPeriod, Tuple.of(workspace, then, now, utc(from), utc(to)))
                    : dealVersions(tx, inPeriod + "and (o.account_id in (select unnest($6::text[]))"
                            + " or o.id in (select unnest($7::text[])) or o.contact_ids && $8) ", Tuple.of(workspace, then, now,
                            utc(from), utc(to)).addArrayOfString(array(changed.accounts())).addArrayOfString(array(changed.deals()))
                            .addArrayOfString(array(changed.contacts())));
            return deals.chain(found -> around(tx, workspace, then, now, found, accounts, rolePersons, to));
        }));
    }

    /**
     * Every version at either moment of what a period's population is built from, for journeys that follow persons
     * (CONTACT_ROLES) under a data-driven model: the deals created or closed in [from, to), the contacts of their accounts or
     * named by them, every touch from {@code lookback} before the earliest of those deals' creation (or {@code from}) to
     * {@code to} (at most {@code closedloop.reports.on-demand-max-rows}), and the memberships of those touches' identifiers
     * and of the contacts' identifiers.
     */
    public Uni<Versions> periodVersions(String workspace, String then, String now, Instant from, Instant to,
                                        Duration lookback) {
        String inPeriod = " (o.created_at >= $4 and o.created_at < $5 or o.closed_at >= $4 and o.closed_at < $5) ";
        String columns = "t.id, t.occurred_at, t.type, t.channel, t.source, t.medium, t.campaign, t.content, t.identifiers,";
        return customPlans(tx -> dealVersions(tx, inPeriod, Tuple.of(workspace, then, now, utc(from), utc(to))).chain(deals -> {
            Set<String> accounts = new HashSet<>();
            Set<String> named = new HashSet<>();
            Instant earliest = from;
            for (DealVersion d : deals) {
                if (d.accountId() != null) {
                    accounts.add(d.accountId());
                }
                named.addAll(d.contactIds());
                earliest = d.createdAt().isBefore(earliest) ? d.createdAt() : earliest;
            }
            Instant since = earliest.minus(lookback);
            Uni<List<ContactVersion>> contacts = contactVersions(tx, workspace, then, now, accounts, named);
            Uni<List<TouchVersion>> touches = list(tx, MOMENTS + "select " + columns + flags("t") + " from touch_version t, m"
                    + " where t.workspace_id = $1 and t.occurred_at >= $4 and t.occurred_at <= $5 and" + inEither("t")
                    + " limit $6", Tuple.of(workspace, then, now, utc(since), utc(to), maxRows + 1), VersionRepository::touch);
            return contacts.chain(c -> touches.chain(t -> {
                if (t.size() > maxRows) {
                    throw new OnDemandLimitException("the period's journeys hold more than " + maxRows + " touch versions, more"
                            + " than a question computed on demand may load");
                }
                // The memberships of the touches' identifiers and of the deals' contacts: who each touch and role is.
                Set<String> identifiers = new HashSet<>();
                t.forEach(v -> identifiers.addAll(v.identifiers()));
                named.forEach(contact -> identifiers.add("contact_id:" + contact));
                return list(tx, MOMENTS + "select v.identifier, v.person_id, v.account_id," + flags("v")
                                + " from membership_version v, m where v.workspace_id = $1 and v.identifier = any($4::text[]) and"
                                + inEither("v"), Tuple.of(workspace, then, now, array(identifiers)),
                        r -> new MembershipVersion(r.getString(0), r.getString(1), r.getString(2), r.getBoolean(3), r.getBoolean(4)))
                        .map(m -> new Versions(deals, c, m, t));
            }));
        }));
    }

    /**
     * Merges the touches' identifier index's pending list into the index. Touches written since the index was last vacuumed
     * sit in that list, which every look-up scans whole for every identifier asked: 20,000 re-sent touches made each chunk
     * of 1,000 identifiers below take 1.6 s instead of 60 ms. This costs what the next vacuum would; a statement of its own
     * (its lock on the index ends with it), and a look-up that merely runs slower where it cannot (a standby, not the
     * index's owner).
     */
    private Uni<Void> mergePendingIdentifiers() {
        return pool.query("select gin_clean_pending_list('touch_by_identifier')").execute().replaceWithVoid()
                .onFailure().invoke(e -> Log.debugf("the touches' identifier index not merged: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * Runs {@code reads} in one read-only repeatable-read transaction planned for each statement's own values: a prepared statement run
     * often gets a generic plan, which knows neither how many ids an array holds nor the moments, and for which an array
     * is no constant (a constant one is looked up hashed: {@code = any}).
     */
    private <T> Uni<T> customPlans(Function<SqlConnection, Uni<T>> reads) {
        // Repeatable read: every statement sees the same rows (at read committed a touch updated between the replaced and
        // the current touches' statements would be in neither).
        // One round trip for both settings (a simple query may hold several statements).
        return pool.withTransaction(tx -> tx.query("set transaction isolation level repeatable read, read only;"
                        + " set local plan_cache_mode = force_custom_plan").execute()
                .chain(ignored -> reads.apply(tx)));
    }

    private Uni<Versions> around(SqlConnection tx, String workspace, String then, String now, List<DealVersion> deals,
                                 Set<String> accounts, boolean rolePersons, Instant to) {
        Set<String> all = new HashSet<>(accounts);
        Set<String> named = new HashSet<>();
        for (DealVersion d : deals) {
            if (d.accountId() != null) {
                all.add(d.accountId());
            }
            named.addAll(d.contactIds());
        }
        Uni<List<ContactVersion>> contacts = contactVersions(tx, workspace, then, now, all, named);
        // A contact role's person is the person of the contact's identifier (as JourneyRepository's role_persons); every
        // version of those identifiers' memberships names the persons whose identifiers are read.
        String ofRolePersons = !rolePersons ? "" : " or v.person_id in (select r.person_id from membership_version r"
                + " where r.workspace_id = $1 and r.person_id is not null"
                + " and r.identifier in (select 'contact_id:' || c from unnest($5::text[]) as c))"
                + " or v.identifier in (select 'contact_id:' || c from unnest($5::text[]) as c)";
        Uni<List<MembershipVersion>> memberships = list(tx, MOMENTS + "select v.identifier, v.person_id, v.account_id,"
                + flags("v") + " from membership_version v, m where v.workspace_id = $1 and (v.account_id in (select"
                + " unnest($4::text[]))" + ofRolePersons + ") and" + inEither("v"),
                rolePersons ? Tuple.of(workspace, then, now, array(all), array(named)) : Tuple.of(workspace, then, now, array(all)),
                r -> new MembershipVersion(r.getString(0), r.getString(1), r.getString(2), r.getBoolean(3), r.getBoolean(4)));
        return contacts.chain(c -> memberships.chain(m -> {
            Set<String> identifiers = new HashSet<>();
            m.forEach(v -> identifiers.add(v.identifier()));
            String columns = "t.id, t.occurred_at, t.type, t.channel, t.source, t.medium, t.campaign, t.content, t.identifiers,";
            // The replaced touches by a hashed look-up of their identifiers; then the current ones in chunks of
            // identifiers, each one bitmap scan of the touches' identifier index, with sequential scans ruled out (a
            // statement over many identifiers was otherwise planned as a scan of every touch comparing it with the whole
            // list: a minute at 1M touches).
            Uni<List<TouchVersion>> replaced = list(tx, MOMENTS + "select " + columns + flags("t") + " from touch_version t, m"
                    + " where t.workspace_id = $1 and t.replaced_by is not null and t.occurred_at < $6 and t.id in (select r.id"
                    + " from replaced_row r, jsonb_array_elements_text(r.old -> 'identifiers') as e(identifier)"
                    + " where r.workspace_id = $1 and r.entity = 'touch' and e.identifier = any($4::text[]))"
                    + " and" + inEither("t") + " limit $5", Tuple.of(workspace, then, now, array(identifiers), maxRows + 1, utc(to)),
                    VersionRepository::touch);
            List<String> listed = new ArrayList<>(identifiers);
            Uni<List<TouchVersion>> current = tx.query("set local enable_seqscan = off").execute()
                    .map(ignored -> new ArrayList<>());
            for (int chunk = 0; chunk < listed.size(); chunk += IDENTIFIERS_PER_STATEMENT) {
                String[] some = listed.subList(chunk, Math.min(listed.size(), chunk + IDENTIFIERS_PER_STATEMENT))
                        .toArray(String[]::new);
                current = current.chain(sofar -> tx.preparedQuery(MOMENTS + "select " + columns
                                + " in_moment(t.written_by, null, m.a), in_moment(t.written_by, null, m.b) from touch t, m"
                                + " where t.workspace_id = $1 and t.identifiers && $4 and t.occurred_at < $6"
                                + " and (in_moment(t.written_by, null, m.a) or in_moment(t.written_by, null, m.b)) limit $5")
                        .execute(Tuple.of(workspace, then, now, some, maxRows + 1, utc(to))).map(rows -> {
                            rows.forEach(r -> sofar.add(touch(r)));
                            return sofar;
                        }));
            }
            Uni<List<TouchVersion>> currentAfter = current;
            return replaced.chain(b -> currentAfter.map(a -> {
                        // A touch of identifiers in two chunks came twice: once each (a current row is one per id).
                        Map<String, TouchVersion> once = new LinkedHashMap<>();
                        a.forEach(t -> once.put(t.touch().id(), t));
                        List<TouchVersion> both = new ArrayList<>(once.values());
                        both.addAll(b);
                        return both;
                    }))
                    .map(touches -> {
                        if (touches.size() > maxRows) {
                            throw new OnDemandLimitException("the journeys this change reaches hold more than " + maxRows
                                    + " touches, more than a question computed on demand may load");
                        }
                        return new Versions(deals, c, m, touches);
                    });
        }));
    }

    /** The versions at either moment of the contacts of {@code accounts} or named in {@code ids} (what lead times read). */
    private static Uni<List<ContactVersion>> contactVersions(SqlConnection tx, String workspace, String then, String now,
                                                             Set<String> accounts, Set<String> ids) {
        return list(tx, MOMENTS + "select c.id, c.account_id, c.lead_created_at," + flags("c")
                        + " from contact_version c, m where c.workspace_id = $1 and (c.account_id in (select unnest($4::text[]))"
                        + " or c.id in (select unnest($5::text[]))) and" + inEither("c"),
                Tuple.of(workspace, then, now, array(accounts), array(ids)),
                r -> new ContactVersion(r.getString(0), r.getString(1), instant(r, 2), r.getBoolean(3), r.getBoolean(4)));
    }

    private static TouchVersion touch(Row r) {
        return new TouchVersion(new TouchRow(r.getString(0), instant(r, 1), r.getString(2), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getString(7), Set.of()), List.of(r.getArrayOfStrings(8)), r.getBoolean(9),
                r.getBoolean(10));
    }

    private Uni<List<DealVersion>> dealVersions(SqlConnection tx, String which, Tuple args) {
        return list(tx, MOMENTS + "select o.id, o.account_id, o.amount, o.currency, o.created_at, o.status, o.closed_at, o.contact_ids,"
                        + flags("o") + " from opportunity_version o, m where o.workspace_id = $1 and" + which + "and" + inEither("o"),
                args, r -> new DealVersion(r.getString(0), r.getString(1), r.getBigDecimal(2), r.getString(3), instant(r, 4),
                        r.getString(5), instant(r, 6), List.of(r.getArrayOfStrings(7)), r.getBoolean(8), r.getBoolean(9)));
    }

    /**
     * The spend of days [from, to) at each moment, of {@code key} in {@code column} (null values as {@code noValue}; a null
     * key: all spend): {then, now}.
     */
    public Uni<double[]> spend(String workspace, String then, String now, LocalDate from, LocalDate to, String column, String key,
                               String noValue) {
        if (column != null && !List.of("channel", "source", "medium", "campaign").contains(column)) {
            throw new IllegalStateException("no spend column " + column);
        }
        String ofKey = column == null ? "" : " and coalesce(s." + column + ", $7) = $6";
        String sql = MOMENTS + """
                        select coalesce(sum(s.amount) filter (where in_moment(s.written_by, s.replaced_by, m.a)), 0)::float8,
                               coalesce(sum(s.amount) filter (where in_moment(s.written_by, s.replaced_by, m.b)), 0)::float8
                        from spend_version s, m where s.workspace_id = $1 and s.day >= $4 and s.day < $5""" + ofKey;
        return customPlans(tx -> tx.preparedQuery(sql).execute(column == null ? Tuple.of(workspace, then, now, from, to)
                        : Tuple.of(workspace, then, now, from, to).addString(key).addString(noValue)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new double[]{r.getDouble(0), r.getDouble(1)};
                });
    }

    private static <T> Uni<List<T>> list(SqlConnection tx, String sql, Tuple args, Function<Row, T> row) {
        return tx.preparedQuery(sql).execute(args).map(rows -> {
            List<T> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(row.apply(r)));
            return out;
        });
    }

    private static String[] array(Collection<String> values) {
        return values.toArray(String[]::new);
    }

    private static Instant instant(Row r, int column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
