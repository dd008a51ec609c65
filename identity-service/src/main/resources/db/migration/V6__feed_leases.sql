-- Replicas share the feed consumers through leases (plumbing FeedLeases, DESIGN §8): each live replica marks itself in
-- feed_replica; a lease names a consumer (a stream or one partition of it, as its position is named) and its owner;
-- the epoch grows with every change of owner and is stamped on the position row, so that a page of an owner that lost
-- its lease is rolled back instead of applied twice (FeedConsumer).
alter table feed_position add column epoch bigint not null default 0;

create table feed_replica (
    owner text primary key,
    seen_at timestamptz not null
);

create table feed_lease (
    name text primary key,
    owner text,
    epoch bigint not null,
    expires_at timestamptz not null
);
