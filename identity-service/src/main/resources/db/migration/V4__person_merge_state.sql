-- What a person's id and account derive from, kept on the person so that a page of new links merges
-- stored persons without loading their links (graph/PersonMerge). Null on persons written before
-- this migration: a page touching one of them takes the full recompute, which fills them in.
alter table persons
    add column earliest_key text,
    add column earliest_seq bigint,
    -- identifiers other than anonymous ids (bounds what the explosion guard can count)
    add column personal     integer,
    -- {"crm": [...], "group": [...], "contacts": [...], "domains": [...]}: account ids of CRM links and of
    -- group calls naming its identifiers, its contact ids, its corporate email domains
    add column evidence     jsonb;

-- link_members rows are removed through links.members (GraphRepository), so this index only cost writes.
drop index link_members_fact;
