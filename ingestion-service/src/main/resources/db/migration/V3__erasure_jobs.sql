-- Erasure of a person as a job (DESIGN §6, README "Privacy"). Replaces V2's erasure table, whose
-- tombstones kept the identifiers in plain text.

drop table erasure;

-- One erasure request and its progress. The identifiers are kept in plain text only while the job
-- runs (the services need them to find what to delete) and set to null when it is done.
create table erasure_job (
    id           text primary key,
    workspace_id text        not null,
    -- HMAC of the request's sorted identifiers: the same request twice is one erasure
    request_hash text        not null,
    requested    jsonb,                  -- the request's identifiers [{"type", "value"}], null once done
    identifiers  jsonb,                  -- every identifier of the person, from identity; null once done
    stage        text        not null check (stage in ('REQUESTED', 'RESOLVING', 'DELETING', 'APPLYING', 'DONE')),
    -- per service: {"state": "PENDING|DONE|FAILED", "reason": ..., "removed": {"touches": n, ...}, "chunks": n}
    reports      jsonb       not null,
    requested_at timestamptz not null default now(),
    finished_at  timestamptz,
    unique (workspace_id, request_hash)
);
create index erasure_job_unfinished on erasure_job (requested_at) where stage <> 'DONE';

-- Tombstones: HMAC-SHA256 of "type:value" under the workspace's key (held by ingestion only), so a
-- later message, contact or touch naming an erased identifier is refused without keeping the value.
create table erased_identifier (
    workspace_id text not null,
    hash         text not null,
    erasure_id   text not null,
    primary key (workspace_id, hash)
);

-- HMAC-SHA256 from the key's inner and outer pads (RFC 2104), with PostgreSQL's built-in sha256, so a
-- write can check its identifiers against the tombstones in the statement that stores it.
create function identifier_hmac(ipad bytea, opad bytea, type text, value text) returns text
    language sql immutable parallel safe
    return encode(sha256(opad || sha256(ipad || convert_to(type || ':' || value, 'UTF8'))), 'hex');

-- Whether any of a row's identifiers ([{"type", "value"}]) is erased in the workspace.
create function names_erased(workspace text, ipad bytea, opad bytea, identifiers jsonb) returns boolean
    language sql stable parallel safe
    return exists (select 1 from jsonb_array_elements(identifiers) i
                   join erased_identifier e on e.workspace_id = workspace
                       and e.hash = identifier_hmac(ipad, opad, i ->> 'type', i ->> 'value'));

-- The erasures feed: one item per job once ingestion has deleted its part, naming every identifier of
-- the person for the consumers that hold derived rows (attribution); deleted when the job is done.
create table erasure_item (
    workspace_id text      not null,
    erasure_id   text      primary key,
    seq          bigserial not null,
    xid          xid8      not null default pg_current_xact_id(),
    identifiers  jsonb     not null
);
create index erasure_item_feed on erasure_item (xid, seq);

-- The identity-facts feed carries each erasure request to identity, in order: written in a transaction
-- that starts after the request committed, so every fact stored before the request comes first.
alter table identity_fact drop constraint identity_fact_origin_check;
alter table identity_fact add constraint identity_fact_origin_check check (origin in ('segment', 'crm', 'offline', 'erasure'));
alter table identity_fact drop constraint identity_fact_kind_check;
alter table identity_fact add constraint identity_fact_kind_check check (kind in ('identify', 'alias', 'group', 'link', 'erasure'));
