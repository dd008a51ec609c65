-- Whether the lease's consumer was caught up at its owner's last renewal (plumbing FeedLeases).
alter table feed_lease add column caught_up boolean not null default false;
