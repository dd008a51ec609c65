-- The version of a workspace's opportunities as journeys read them (id, account, amount, times, status): every CRM page,
-- membership page re-deriving an opportunity's account and erasure changing them moves it, so a replica's copy of them
-- in memory (JourneyStore, beside the touches) knows when it is stale.
alter table journey_version add column deals_version bigint not null default 0;
