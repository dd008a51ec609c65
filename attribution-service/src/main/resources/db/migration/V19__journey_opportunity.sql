-- An opportunity as every journey reads it: on demand (JourneyRepository), in the incremental rollups
-- (RollupRepository) and in the full recompute (recompute/AccountStream). Its lead-creation time, the milestone
-- the W- and full-path models need, is the earliest lead_created_at of its people: its contact roles, or its
-- account's contacts when it names none. Written once here so the three paths cannot disagree.
create view journey_opportunity as
select o.workspace_id, o.id, o.account_id, o.amount, o.currency, o.created_at, o.status, o.closed_at, o.contact_ids,
       case when cardinality(o.contact_ids) > 0
            then (select min(c.lead_created_at) from contact c
                  where c.workspace_id = o.workspace_id and c.id = any(o.contact_ids))
            else (select min(c.lead_created_at) from contact c
                  where c.workspace_id = o.workspace_id and c.account_id = o.account_id) end as lead_created_at
from opportunity o;
