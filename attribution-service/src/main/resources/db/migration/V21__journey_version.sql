-- A workspace's version of what journeys computed on demand are read from (its touches and memberships): every feed page
-- and erasure changing them moves it in the same transaction, so a replica's copy of them in memory (JourneyStore)
-- knows when it is stale.
create table journey_version (
    workspace_id text   primary key,
    version      bigint not null
);
