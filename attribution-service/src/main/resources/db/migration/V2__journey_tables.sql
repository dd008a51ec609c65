-- Copies of the producers' feeds that journeys are built from (docs/feeds.md). Each row is the
-- latest state of its source object; feed pages upsert them (FeedApplyService).

-- ingestion `touches`; identifiers as "type:value" (the form membership.identifier uses).
create table touch (
    workspace_id text        not null,
    id           text        not null,
    occurred_at  timestamptz not null,
    type         text,
    channel      text        not null,
    source       text,
    medium       text,
    campaign     text,
    content      text,
    identifiers  text[]      not null,
    primary key (workspace_id, id)
);
-- Reports load a workspace's touches over a period.
create index touch_by_time on touch (workspace_id, occurred_at);

-- identity `memberships`: the current resolution of one identifier.
create table membership (
    workspace_id text not null,
    identifier   text not null,
    person_id    text,
    account_id   text,
    primary key (workspace_id, identifier)
);
create index membership_by_account on membership (workspace_id, account_id);

-- ingestion `crm` contacts: only what milestones need (the lead-creation moment).
create table contact (
    workspace_id    text not null,
    id              text not null,
    account_id      text,
    lead_created_at timestamptz,
    primary key (workspace_id, id)
);
create index contact_by_account on contact (workspace_id, account_id);

-- ingestion `crm` opportunities.
create table opportunity (
    workspace_id text        not null,
    id           text        not null,
    account_id   text,
    amount       numeric,
    currency     text,
    created_at   timestamptz not null,
    status       text        not null,
    closed_at    timestamptz,
    contact_ids  text[]      not null default '{}',
    primary key (workspace_id, id)
);
create index opportunity_by_created on opportunity (workspace_id, created_at);
create index opportunity_by_closed on opportunity (workspace_id, closed_at);

-- FeedConsumer's positions, written in the same transaction as a page's effects.
create table feed_position (
    stream text primary key,
    cursor text
);
