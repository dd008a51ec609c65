-- Materialized credits of the standard models (DESIGN §9 "Where the reports live"): one row per
-- workspace, generation, basis, model, dimension, conversion day and key. Rows are sums, so the
-- incremental path adds deltas to them and a report sums them over days. The workspace leads
-- every key (Citus: distribute by workspace_id).
create table credit_rollup (
    workspace_id  text             not null,
    generation    integer          not null,
    basis         text             not null, -- PIPELINE (day = opportunity creation) | REVENUE (day = close of a won deal)
    model         text             not null, -- a standard model (ModelName, lower case), or '*' for the conversion counts
    dimension     text             not null, -- CHANNEL SOURCE MEDIUM CAMPAIGN CONTENT TOUCH_TYPE, or OPPORTUNITIES
    day           date             not null, -- UTC day of the conversion point
    key           text             not null, -- the dimension's value, '(none)' when a touch has none
    credit        double precision not null, -- Σ touch credits (OPPORTUNITIES: the count of opportunities)
    amount        double precision not null, -- Σ credit × opportunity amount
    opportunities double precision not null, -- opportunities giving this key credit > 0 (a count; double so deltas add)
    primary key (workspace_id, generation, basis, model, dimension, day, key)
);

-- Per workspace: the generation reports read, the parameters it was computed with, and the
-- generation a full recompute is building (null when none). A workspace without a row has no
-- rollups yet; its first feed page creates one (ready, since it starts from nothing).
create table rollup_state (
    workspace_id       text             primary key,
    generation         integer          not null,
    lookback_days      integer          not null,
    half_life_days     double precision not null,
    ready              boolean          not null, -- false: reports compute on demand until a full recompute
    building           integer,
    building_lookback  integer,
    building_half_life double precision,
    building_partitions integer,
    updated_at         timestamptz      not null default now()
);

-- Workspaces that already had data before rollups existed need a full recompute first.
insert into rollup_state (workspace_id, generation, lookback_days, half_life_days, ready)
select w, 0, coalesce(s.lookback_days, 365), coalesce(s.half_life_days, 7), false
from (select workspace_id as w from opportunity union select workspace_id from touch) ws
left join attribution_settings s on s.workspace_id = ws.w;

-- One row per partition (account hash range) of a full recompute.
create table recompute_partition (
    workspace_id   text        not null,
    generation     integer     not null,
    partition      integer     not null,
    partitions     integer     not null,
    state          text        not null, -- RUNNING WRITING DONE FAILED
    accounts_done  integer     not null default 0,
    accounts_total integer     not null default 0,
    started_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    error          text,
    primary key (workspace_id, generation, partition)
);

-- An account's journeys: its opportunities, and the touches of its identifiers.
create index opportunity_by_account on opportunity (workspace_id, account_id);
create index touch_by_identifier on touch using gin (identifiers);
