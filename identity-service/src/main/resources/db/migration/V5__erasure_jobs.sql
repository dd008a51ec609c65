-- Erasure jobs (DESIGN §6; ingestion V3): identity erases the whole person of a request and reports every identifier
-- it had back to ingestion.

-- Tombstones are now keyed hashes (graph/PersonIds): the unkeyed SHA-256 ones let anyone test a guessed email, and
-- no longer match anything. Ingestion refuses new data naming an erased identifier, so none is needed for that.
truncate erased_identifiers;

-- The person's history on the memberships feed is deleted with the person, so a consumer replaying the feed
-- from the start finds no trace: found by identifier key.
create index memberships_identifier on memberships
    (workspace_id, ((payload -> 'identifier' ->> 'type') || ':' || (payload -> 'identifier' ->> 'value')));

-- Identity's report of an erasure, posted to ingestion (with the person's identifiers, which ingestion needs to delete
-- their touches) and deleted once ingestion took it: the only place identity keeps the values after the erasure.
create table erasure_outbox (
    erasure_id   text primary key,
    workspace_id text  not null,
    identifiers  jsonb not null,
    removed      jsonb not null
);
