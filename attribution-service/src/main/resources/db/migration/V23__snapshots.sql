-- Snapshots (issue 22): the figures a user reported, frozen. Figures only (report rows keyed by channel, campaign and the
-- like, the settings and model parameters, the data version): no person's data, so an erasure has nothing to remove
-- here, and no recompute or feed page touches these tables.
create table snapshot (
    workspace_id text        not null,
    id           text        not null,
    name         text        not null,
    created_at   timestamptz not null default now(),
    period_from  date        not null,
    period_to    date        not null,
    -- how the figures were computed: the workspace's settings then, and the rollups' generation and version
    settings     jsonb       not null,
    data_version text,
    primary key (workspace_id, id)
);
create index snapshot_by_time on snapshot (workspace_id, created_at desc, id desc);

-- One report of a snapshot: a model (its position in the snapshot's models, and its parameters) on one basis, grouped
-- by one dimension; StoredReport's JSON.
create table snapshot_report (
    workspace_id text    not null,
    snapshot_id  text    not null,
    model        integer not null,
    basis        text    not null,
    group_by     text    not null,
    options      jsonb   not null,
    -- rows the report had (the JSON keeps the first 1,000): listed without reading the JSON
    total_rows   integer not null,
    report       jsonb   not null,
    primary key (workspace_id, snapshot_id, model, basis, group_by)
);

-- A workspace's monthly snapshot (at most one schedule each): the models, bases and groupings of the snapshot taken of
-- each calendar month once it has ended.
create table snapshot_schedule (
    workspace_id text        primary key,
    models       jsonb       not null,
    bases        text[]      not null,
    group_by     text[]      not null,
    -- the last month a replica claimed (and took, unless it failed and gave the claim back): one replica computes each
    -- month's snapshot, and deleting that snapshot does not bring it back
    last_month   date,
    updated_at   timestamptz not null default now()
);
-- The month a scheduled snapshot is of; unique, so replicas checking at once take it once.
alter table snapshot add column scheduled_month date;
create unique index snapshot_once_a_month on snapshot (workspace_id, scheduled_month) where scheduled_month is not null;
