-- The streams ingestion stores and publishes as change feeds (DESIGN §2, docs/feeds.md).
--
-- Every stream row carries `seq` (a sequence number) and `xid` (the writing transaction's id,
-- xid8). Feeds read rows ordered by (xid, seq) below the commit-safe horizon
-- pg_snapshot_xmin(pg_current_snapshot()) (plumbing FeedReader), hence an index on (xid, seq)
-- in every stream table. An upsert that changes a row gives it a new seq and xid, so the
-- changed row moves to the end of its feed (each item carries the object's whole state); an
-- upsert that changes nothing leaves the row, and the feed, alone.
--
-- Idempotency: Segment messages by (workspace_id, messageId), everything else by
-- (workspace_id, the source system's id): primary keys below.

-- Times in feed payloads: ISO-8601 in UTC with milliseconds (docs/feeds.md).
create function iso_utc(t timestamptz) returns text
    language sql immutable parallel safe
    return to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

-- touches: Segment page/screen/track calls and offline touches.
create table touch (
    workspace_id text        not null,
    id           text        not null,           -- Segment messageId (given or derived) or the offline touch's id
    seq          bigserial   not null,
    xid          xid8        not null default pg_current_xact_id(),
    origin       text        not null check (origin in ('segment', 'offline')),
    occurred_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    type         text        not null,
    identifiers  jsonb       not null,           -- [{"type": "anonymous_id", "value": "a1"}, ...]
    channel      text        not null,
    source       text,
    medium       text,
    campaign     text,
    content      text,
    term         text,
    referrer     text,
    url          text,
    click_ids    jsonb,                          -- {"gclid": "..."} or null
    event        text,
    utm_valid    boolean     not null,
    raw          jsonb,                          -- the Segment message as received (unknown fields kept); null for offline touches
    primary key (workspace_id, id)
);
create index touch_feed on touch (xid, seq);

-- identity facts: identify, alias, group calls, and links from touches, CRM contacts and offline touches.
create table identity_fact (
    workspace_id text        not null,
    id           text        not null,           -- messageId; 'contact:<id>' for CRM contacts; 'touch:<id>' for offline touches
    seq          bigserial   not null,
    xid          xid8        not null default pg_current_xact_id(),
    origin       text        not null check (origin in ('segment', 'crm', 'offline')),
    kind         text        not null check (kind in ('identify', 'alias', 'group', 'link')),
    occurred_at  timestamptz not null,
    received_at  timestamptz not null default now(),
    identifiers  jsonb       not null,
    account      jsonb,                          -- {"id": ..., "domain": ..., "name": ...} or null
    raw          jsonb,                          -- the Segment identify/alias/group message as received
    primary key (workspace_id, id)
);
create index identity_fact_feed on identity_fact (xid, seq);

-- CRM objects: one stream (`crm`) over three tables, so they share one sequence and (xid, seq) is unique across them.
create sequence crm_seq;

create table crm_account (
    workspace_id text        not null,
    id           text        not null,
    seq          bigint      not null default nextval('crm_seq'),
    xid          xid8        not null default pg_current_xact_id(),
    name         text,
    domains      text[]      not null default '{}',
    industry     text,
    created_at   timestamptz,
    updated_at   timestamptz not null default now(),
    primary key (workspace_id, id)
);
create index crm_account_feed on crm_account (xid, seq);

create table crm_contact (
    workspace_id    text        not null,
    id              text        not null,
    seq             bigint      not null default nextval('crm_seq'),
    xid             xid8        not null default pg_current_xact_id(),
    email           text,
    phone           text,
    account_id      text,
    created_at      timestamptz,
    lead_created_at timestamptz,
    updated_at      timestamptz not null default now(),
    primary key (workspace_id, id)
);
create index crm_contact_feed on crm_contact (xid, seq);

create table crm_opportunity (
    workspace_id      text           not null,
    id                text           not null,
    seq               bigint         not null default nextval('crm_seq'),
    xid               xid8           not null default pg_current_xact_id(),
    account_id        text,
    name              text,
    amount            numeric(20, 2),               -- in the workspace's reporting currency
    currency          char(3),
    original_amount   numeric(20, 4),               -- as given, before conversion
    original_currency char(3),
    created_at        timestamptz    not null,
    stage             text,
    status            text           not null check (status in ('OPEN', 'WON', 'LOST')),
    closed_at         timestamptz,
    contact_roles     jsonb,                                  -- [{"contactId": ..., "role": ...}]; null: none known
    stage_history     jsonb,                                  -- [{"stage": ..., "enteredAt": ...}] ordered by enteredAt; null: none known
    updated_at        timestamptz    not null default now(),
    primary key (workspace_id, id)
);
create index crm_opportunity_feed on crm_opportunity (xid, seq);

-- revenue: invoices and payments.
create table revenue (
    workspace_id      text           not null,
    id                text           not null,
    seq               bigserial      not null,
    xid               xid8           not null default pg_current_xact_id(),
    account_id        text           not null,
    opportunity_id    text,
    amount            numeric(20, 2) not null,
    currency          char(3)        not null,
    original_amount   numeric(20, 4) not null,
    original_currency char(3)        not null,
    occurred_at       timestamptz    not null,
    updated_at        timestamptz    not null default now(),
    primary key (workspace_id, id)
);
create index revenue_feed on revenue (xid, seq);

-- spend: marketing cost per day, channel, source, medium, campaign; id = 'date|channel|source|medium|campaign'.
create table spend (
    workspace_id      text           not null,
    id                text           not null,
    seq               bigserial      not null,
    xid               xid8           not null default pg_current_xact_id(),
    day               date           not null,
    channel           text           not null,
    source            text,
    medium            text,
    campaign          text,
    amount            numeric(20, 2) not null,
    currency          char(3)        not null,
    original_amount   numeric(20, 4) not null,
    original_currency char(3)        not null,
    updated_at        timestamptz    not null default now(),
    primary key (workspace_id, id)
);
create index spend_feed on spend (xid, seq);

-- erasures: tombstones every consumer applies (DESIGN §6).
create table erasure (
    workspace_id text        not null,
    id           bigserial   primary key,
    seq          bigserial   not null,
    xid          xid8        not null default pg_current_xact_id(),
    identifiers  jsonb       not null,
    requested_at timestamptz not null default now()
);
create index erasure_feed on erasure (xid, seq);

-- Exchange rates into the workspace's reporting currency: 1 unit of `currency` = `rate` units of reporting currency.
create table exchange_rate (
    workspace_id text           not null,
    currency     char(3)        not null,
    day          date           not null,
    rate         numeric(24, 10) not null check (rate > 0),
    primary key (workspace_id, currency, day)
);

-- The channel taxonomy of a workspace (ordered rules); none stored means the default.
create table channel_taxonomy (
    workspace_id text primary key,
    rules        jsonb       not null,
    updated_at   timestamptz not null default now()
);

-- CSV import jobs and their progress.
create table import_job (
    id            text primary key,
    workspace_id  text        not null,
    kind          text        not null,
    mapping       text        not null,
    state         text        not null check (state in ('RUNNING', 'SUCCEEDED', 'FAILED')),
    rows_read     bigint      not null default 0,
    rows_accepted bigint      not null default 0,
    rows_rejected bigint      not null default 0,
    errors        jsonb       not null default '[]',   -- the first rejected rows: [{"row": n, "field": ..., "error": ...}]
    message       text,
    created_at    timestamptz not null default now(),
    heartbeat_at  timestamptz not null default now(),  -- refreshed per chunk; a RUNNING job without a recent one was interrupted
    finished_at   timestamptz
);
create index import_job_workspace on import_job (workspace_id, created_at desc);
