-- A workspace is known to ingestion once it has settings or a write key; its id comes from tokens.
create table workspace (
    id                 text primary key,
    reporting_currency char(3)     not null default 'USD',
    created_at         timestamptz not null default now()
);

-- Segment write keys: HTTP Basic user name of the Segment endpoints; a key writes events to its workspace only.
create table write_key (
    id           bigserial primary key,
    workspace_id text        not null references workspace (id),
    name         text        not null,
    key          text        not null unique,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);
create index write_key_workspace on write_key (workspace_id);
