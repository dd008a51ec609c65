-- Materialized credits of the standard models (DESIGN §9 "Where the reports live"): sums per
-- workspace, generation, basis, dimension, conversion day and key, with one array element per
-- standard model (CreditRollup.MODELS, SQL index 1..10: first_touch, last_touch, last_non_direct,
-- linear, time_decay, u_shaped, w_shaped, full_path, j_shaped, inverse_j), so one row carries every
-- model and a full recompute writes a tenth of the rows. A report sums the rows of its days (several
-- rows may share a key: one per writer). Writers:
--   part = p >= 0: partition p of a full recompute, written once with COPY (unique by construction);
--   part = -1: the incremental deltas of feed pages, upserted (adding) through the unique index below.
-- The workspace leads every index (Citus: distribute by workspace_id).
create table credit_rollup (
    workspace_id  text               not null,
    generation    integer            not null,
    basis         text               not null, -- PIPELINE (day = opportunity creation) | REVENUE (day = close of a won deal)
    dimension     text               not null, -- CHANNEL SOURCE MEDIUM CAMPAIGN CONTENT TOUCH_TYPE, or OPPORTUNITIES
    day           date               not null, -- UTC day of the conversion point
    key           text               not null, -- the dimension's value, '(none)' when a touch has none
    part          integer            not null, -- the writer: recompute partition, or -1 for incremental deltas
    credit        double precision[] not null, -- per model: Σ touch credits (OPPORTUNITIES: the count of opportunities)
    amount        double precision[] not null, -- per model: Σ credit × opportunity amount
    opportunities double precision[] not null  -- per model: opportunities giving this key credit > 0 (counts; doubles so deltas add)
);
create index credit_rollup_by_report on credit_rollup (workspace_id, generation, basis, dimension, day);
create unique index credit_rollup_delta on credit_rollup (workspace_id, generation, basis, dimension, day, key)
    where part = -1;

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
