-- explainChangeSince (issue 22): the data as it was at a time, not only at a snapshot. A moment is a PostgreSQL snapshot
-- (V24); every replica logs one a minute (closedloop.versions.moment-every) with the time it was taken, and a time maps to
-- the last moment logged at or before it: a change committed up to a minute before that time may count as since.
create table data_moment (
    taken_at timestamptz primary key,
    moment   text        not null
);

-- The settings are an input of every figure too: their versions are kept as the other inputs' are (V24).
alter table attribution_settings add column written_by xid8;
alter table attribution_settings alter column written_by set default pg_current_xact_id();
create trigger attribution_settings_versions before update or delete on attribution_settings
    for each row execute function keep_replaced_version('workspace_id');

create view attribution_settings_version as
select workspace_id, lookback_days, half_life_days, journey_scope, written_by, null::xid8 as replaced_by
from attribution_settings
union all
select workspace_id, (old ->> 'lookback_days')::integer, (old ->> 'half_life_days')::double precision,
       old ->> 'journey_scope', written_by, replaced_by
from replaced_row where entity = 'attribution_settings';
