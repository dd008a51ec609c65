package io.closedloop.ingestion.service;

import io.closedloop.ingestion.segment.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Erasure of a person: in one transaction, deletes what ingestion holds that names any of the
 * identifiers (touches with their raw messages, identity facts, CRM contacts) and writes the
 * tombstone the {@code erasures} feed carries to every consumer. Rare, so the deletes scan the
 * workspace's rows by JSON containment rather than keeping an index on every identifier.
 */
@ApplicationScoped
public class ErasureService {

    static final Set<String> TYPES = Set.of(Identifier.ANONYMOUS_ID, Identifier.USER_ID, Identifier.EMAIL, Identifier.PHONE,
            Identifier.CONTACT_ID);

    static final String ERASE = """
            with ids as (
                select jsonb_build_array(jsonb_build_object('type', t, 'value', v)) as one, t, v
                from unnest($2::text[], $3::text[]) as u(t, v)
            ), touches as (
                delete from touch where workspace_id = $1 and exists (select 1 from ids where touch.identifiers @> ids.one) returning 1
            ), facts as (
                delete from identity_fact where workspace_id = $1 and exists (select 1 from ids where identity_fact.identifiers @> ids.one)
                returning 1
            ), contacts as (
                delete from crm_contact c where c.workspace_id = $1 and exists (select 1 from ids where
                    (ids.t = 'contact_id' and c.id = ids.v) or (ids.t = 'email' and c.email = ids.v) or (ids.t = 'phone' and c.phone = ids.v))
                returning 1
            ), tombstone as (
                insert into erasure (workspace_id, identifiers)
                select $1, jsonb_agg(jsonb_build_object('type', t, 'value', v)) from ids
                returning requested_at
            )
            select (select count(*) from touches) as touches, (select count(*) from facts) as facts,
                   (select count(*) from contacts) as contacts, (select requested_at from tombstone) as requested_at""";

    public record Result(long touches, long facts, long contacts, OffsetDateTime requestedAt) {
    }

    private final Pool pool;

    public ErasureService(Pool pool) {
        this.pool = pool;
    }

    /** {type, value} normalized as stored (emails lower-cased, phones as digits); errors name {@code field}. */
    public static String[] normalize(String type, String value, String field) {
        String t = type == null ? "" : type.strip().toLowerCase(java.util.Locale.ROOT);
        if (!TYPES.contains(t)) {
            throw new IllegalArgumentException(field + ".type: '" + type + "' is not one of " + new java.util.TreeSet<>(TYPES));
        }
        String v = value == null ? null : value.strip();
        if (t.equals(Identifier.EMAIL)) {
            v = Identifier.email(v);
        } else if (t.equals(Identifier.PHONE)) {
            v = Identifier.phone(v);
        }
        if (v == null || v.isEmpty() || v.length() > 320) {
            throw new IllegalArgumentException(field + ".value: not a valid " + t);
        }
        return new String[]{t, v};
    }

    public Uni<Result> erase(String workspace, List<String[]> identifiers) {
        List<String> types = new ArrayList<>();
        List<String> values = new ArrayList<>();
        identifiers.forEach(p -> {
            types.add(p[0]);
            values.add(p[1]);
        });
        return pool.withTransaction(c -> c.preparedQuery(ERASE)
                .execute(Tuple.of(workspace, types.toArray(new String[0]), values.toArray(new String[0])))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Result(r.getLong("touches"), r.getLong("facts"), r.getLong("contacts"), r.getOffsetDateTime("requested_at"));
                }));
    }
}
