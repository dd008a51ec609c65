-- A copy of a workspace's touches in memory (JourneyStore) is brought up to date by re-reading only the accounts whose
-- touches or memberships changed since the copy's moment, found from the rows' writers and replaced versions (V24). An
-- erasure keeps no version of what it removes, so it is counted here too: a copy from before an erasure is read whole.
alter table journey_version add column erasures bigint not null default 0;
