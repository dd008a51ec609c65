-- Versioned inputs (issue 22, explainChange): what a figure was computed from at a past moment can be rebuilt, so the change
-- of a figure since a snapshot can be split by cause. A moment is a PostgreSQL snapshot (pg_current_snapshot(), as the
-- feeds' horizon already uses): a row version belongs to it when the transaction that wrote it was visible then and the one
-- that replaced it was not.
--
-- Cost on the write path: 8 bytes per row (the writing transaction), and one row in replaced_row per update or delete
-- that changes something; inserts (the bulk of every backfill: touches) write nothing more. Rows older than this migration
-- have no writer (null): they belong to every moment.
alter table touch add column written_by xid8;
alter table touch alter column written_by set default pg_current_xact_id();
alter table membership add column written_by xid8;
alter table membership alter column written_by set default pg_current_xact_id();
alter table opportunity add column written_by xid8;
alter table opportunity alter column written_by set default pg_current_xact_id();
alter table contact add column written_by xid8;
alter table contact alter column written_by set default pg_current_xact_id();
alter table spend add column written_by xid8;
alter table spend alter column written_by set default pg_current_xact_id();

-- A replaced (updated or deleted) version of a row of one of those tables, as it was (to_jsonb of the row).
create table replaced_row (
    workspace_id text        not null,
    entity       text        not null,
    id           text        not null,
    written_by   xid8,
    replaced_by  xid8        not null,
    replaced_at  timestamptz not null default now(),
    old          jsonb       not null
);
create index replaced_row_by_replacer on replaced_row (workspace_id, entity, replaced_by);
create index replaced_row_by_id on replaced_row (workspace_id, entity, id);
-- An erasure finds the versions holding the person: a touch's by its identifiers, a membership's by its person.
create index replaced_touch_by_identifiers on replaced_row using gin ((old -> 'identifiers')) where entity = 'touch';
create index replaced_membership_by_person on replaced_row (workspace_id, (old ->> 'person_id')) where entity = 'membership';

-- Keeps the version an update or delete replaces, unless nothing changed (a feed page re-sent: the row keeps its writer),
-- the version was written by this same transaction (no moment ever saw it), or the transaction is an erasure (which
-- keeps no version of what it removes: DESIGN §6). TG_ARGV[0]: the row's key column.
create function keep_replaced_version() returns trigger language plpgsql as $$
begin
    if coalesce(current_setting('closedloop.erasing', true), '') = 'on' then
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    if tg_op = 'UPDATE' then
        -- The writers never differ here (no statement sets one): equal rows are an unchanged re-send.
        if new is not distinct from old then
            return new;
        end if;
        new.written_by := pg_current_xact_id();
    end if;
    if old.written_by is distinct from pg_current_xact_id() then
        insert into replaced_row (workspace_id, entity, id, written_by, replaced_by, old)
        values (old.workspace_id, tg_table_name, to_jsonb(old) ->> tg_argv[0], old.written_by, pg_current_xact_id(), to_jsonb(old));
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end $$;

create trigger touch_versions before update or delete on touch
    for each row execute function keep_replaced_version('id');
create trigger membership_versions before update or delete on membership
    for each row execute function keep_replaced_version('identifier');
create trigger opportunity_versions before update or delete on opportunity
    for each row execute function keep_replaced_version('id');
create trigger contact_versions before update or delete on contact
    for each row execute function keep_replaced_version('id');
create trigger spend_versions before update or delete on spend
    for each row execute function keep_replaced_version('id');

-- The moment a snapshot's figures were computed at (pg_current_snapshot() as text); null before versioning.
alter table snapshot add column moment text;

-- Whether a row version (its writer, and its replacer: null while current) belongs to a moment (null: now).
create function in_moment(written xid8, replaced xid8, moment pg_snapshot) returns boolean language sql stable as $$
    select case when moment is null then replaced is null
                else (written is null or pg_visible_in_snapshot(written, moment))
                     and (replaced is null or not pg_visible_in_snapshot(replaced, moment)) end
$$;

-- Every version of each versioned table's rows, current and replaced, with the columns journeys and spend read.
create view touch_version as
select workspace_id, id, occurred_at, type, channel, source, medium, campaign, content, identifiers, written_by,
       null::xid8 as replaced_by
from touch
union all
select workspace_id, id, (old ->> 'occurred_at')::timestamptz, old ->> 'type', old ->> 'channel', old ->> 'source',
       old ->> 'medium', old ->> 'campaign', old ->> 'content', array(select jsonb_array_elements_text(old -> 'identifiers')),
       written_by, replaced_by
from replaced_row where entity = 'touch';

create view membership_version as
select workspace_id, identifier, person_id, account_id, written_by, null::xid8 as replaced_by from membership
union all
select workspace_id, id, old ->> 'person_id', old ->> 'account_id', written_by, replaced_by
from replaced_row where entity = 'membership';

create view opportunity_version as
select workspace_id, id, account_id, amount, currency, created_at, status, closed_at, contact_ids, written_by,
       null::xid8 as replaced_by
from opportunity
union all
select workspace_id, id, old ->> 'account_id', (old ->> 'amount')::numeric, old ->> 'currency',
       (old ->> 'created_at')::timestamptz, old ->> 'status', (old ->> 'closed_at')::timestamptz,
       array(select jsonb_array_elements_text(old -> 'contact_ids')), written_by, replaced_by
from replaced_row where entity = 'opportunity';

create view contact_version as
select workspace_id, id, account_id, lead_created_at, written_by, null::xid8 as replaced_by from contact
union all
select workspace_id, id, old ->> 'account_id', (old ->> 'lead_created_at')::timestamptz, written_by, replaced_by
from replaced_row where entity = 'contact';

create view spend_version as
select workspace_id, id, day, channel, source, medium, campaign, amount, written_by, null::xid8 as replaced_by from spend
union all
select workspace_id, id, (old ->> 'day')::date, old ->> 'channel', old ->> 'source', old ->> 'medium', old ->> 'campaign',
       (old ->> 'amount')::numeric, written_by, replaced_by
from replaced_row where entity = 'spend';
