-- A commit that adds to the memberships feed wakes the reads waiting for it (plumbing's FeedWakeups, docs/feeds.md
-- "Waiting"): one notification per statement, delivered at commit; only a wakeup (a read that misses one waits out its
-- bound and reads anyway).
create function feed_wakeup() returns trigger language plpgsql as $$
begin
    perform pg_notify('closedloop_feeds', tg_argv[0]);
    return null;
end $$;

create trigger memberships_wakeup after insert or update on memberships for each statement execute function feed_wakeup('memberships');
