-- Only a stream some read waits for is notified (plumbing's FeedWakeups registers the stream here before it waits):
-- PostgreSQL serializes the commits of all notifying transactions of the server (a lock held through the commit's
-- flush), so under load, when consumers have pages to apply and no read waits, no commit pays for it. Unlogged: a
-- registration lost in a crash only costs the next waiting read its bound.
create unlogged table feed_waiting (
    stream text primary key,
    until  timestamptz not null
);

create or replace function feed_wakeup() returns trigger language plpgsql as $$
begin
    if exists (select 1 from feed_waiting where stream = tg_argv[0] and until > clock_timestamp()) then
        perform pg_notify('closedloop_feeds', tg_argv[0]);
    end if;
    return null;
end $$;
