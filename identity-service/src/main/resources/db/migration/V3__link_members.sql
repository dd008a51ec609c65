-- Which links name an identifier: a btree lookup per key. The GIN index on links.members made the
-- planner scan every link when a page asks for thousands of keys at once (bench/identity.sh).
create table link_members (
    workspace_id text not null,
    key          text not null,
    fact_id      text not null,
    primary key (workspace_id, key, fact_id)
);
insert into link_members (workspace_id, key, fact_id)
    select workspace_id, unnest(members), fact_id from links on conflict do nothing;
create index link_members_fact on link_members (workspace_id, fact_id);
drop index links_members;
