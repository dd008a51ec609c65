-- The identity graph, stored so that a page of facts loads only the persons it touches (DESIGN §2).

-- Each identifier and its current resolution. key = type:value (Identifier.key()).
create table identifiers (
    workspace_id   text    not null,
    key            text    not null,
    type           text    not null,
    value          text    not null,
    first_seq      bigint  not null,
    person_id      text    not null,
    account_id     text,
    -- corporate registered domain of an email (null for free-mail and other types): finds persons when an account's domains change
    domain         text,
    -- explosion guard: a quarantined identifier joins nothing (persons_joined = how many it would have joined)
    quarantined    boolean not null default false,
    persons_joined integer not null default 0,
    primary key (workspace_id, key)
);
create index identifiers_person on identifiers (workspace_id, person_id);
create index identifiers_domain on identifiers (workspace_id, domain) where domain is not null;
create index identifiers_quarantined on identifiers (workspace_id) where quarantined;

-- The facts that tie identifiers together (identify, alias, group, link), one row per fact id.
create table links (
    workspace_id text   not null,
    fact_id      text   not null,
    kind         text   not null,
    seq          bigint not null,
    account_id   text,
    members      text[] not null,
    primary key (workspace_id, fact_id)
);
create index links_members on links using gin (members);

-- A connected component of the graph and its account.
create table persons (
    workspace_id text    not null,
    person_id    text    not null,
    account_id   text,
    ambiguous    boolean not null default false,
    quarantined  boolean not null default false,
    identifiers  integer not null,
    primary key (workspace_id, person_id)
);
create index persons_account on persons (workspace_id, account_id);

-- From the crm feed: accounts, their domains and contacts' accounts.
create table accounts (
    workspace_id text   not null,
    account_id   text   not null,
    name         text,
    domains      text[] not null default '{}',
    primary key (workspace_id, account_id)
);
create table account_domains (
    workspace_id text not null,
    domain       text not null,
    account_id   text not null,
    primary key (workspace_id, domain, account_id)
);
create table crm_contacts (
    workspace_id text not null,
    contact_id   text not null,
    account_id   text,
    primary key (workspace_id, contact_id)
);

-- Erased identifiers, as SHA-256 of their key (no personal data), so a fact arriving later on
-- another stream cannot bring them back.
create table erased_identifiers (
    workspace_id text not null,
    key_hash     text not null,
    primary key (workspace_id, key_hash)
);

-- The memberships feed (docs/feeds.md), read with plumbing's FeedReader.
create table memberships (
    seq          bigserial primary key,
    xid          xid8  not null default pg_current_xact_id(),
    workspace_id text  not null,
    kind         text  not null,
    payload      jsonb not null
);
create index memberships_order on memberships (xid, seq);

-- Consumer positions (plumbing's FeedConsumer), written in the same transaction as the page's effects.
create table if not exists feed_position (
    stream text primary key,
    cursor text
);
