-- Which replica ran a recompute partition (RecomputeService shares a recompute among the live replicas).
alter table recompute_partition add column runner text;

-- Whether the lease's consumer was caught up at its owner's last renewal: a catch-up ends when all are (FeedLeases).
alter table feed_lease add column caught_up boolean not null default false;
