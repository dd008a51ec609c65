-- A commit that adds to a stream wakes the feed reads waiting for it (plumbing's FeedWakeups, docs/feeds.md "Waiting"):
-- one notification per statement, delivered at commit (PostgreSQL folds a transaction's equal ones into one), so a
-- consumer's idle read is answered when the stream moves instead of a poll interval later. Only a wakeup: a read
-- that misses one waits out its bound and reads anyway.
create function feed_wakeup() returns trigger language plpgsql as $$
begin
    perform pg_notify('closedloop_feeds', tg_argv[0]);
    return null;
end $$;

create trigger touch_wakeup after insert or update on touch for each statement execute function feed_wakeup('touches');
create trigger identity_fact_wakeup after insert or update on identity_fact for each statement execute function feed_wakeup('identity-facts');
create trigger crm_account_wakeup after insert or update on crm_account for each statement execute function feed_wakeup('crm');
create trigger crm_contact_wakeup after insert or update on crm_contact for each statement execute function feed_wakeup('crm');
create trigger crm_opportunity_wakeup after insert or update on crm_opportunity for each statement execute function feed_wakeup('crm');
create trigger revenue_wakeup after insert or update on revenue for each statement execute function feed_wakeup('revenue');
create trigger spend_wakeup after insert or update on spend for each statement execute function feed_wakeup('spend');
create trigger erasure_item_wakeup after insert or update on erasure_item for each statement execute function feed_wakeup('erasures');
