-- Per-deal facts of the performance report (median days to conversion), materialized with the
-- rollups (DESIGN §9): one row per won deal and dimension, written by the same writers as
-- credit_rollup (part = p >= 0: partition p of a full recompute, COPY; part = -1: incremental
-- deltas, upserted adding counts). count is +1/-1 like the sums: a deal's row is present where the
-- counts of its (opportunity, days, profile) sum to 1. profile: per key of the revenue journey,
-- key 0x1f mask (bit i: standard model i, CreditRollup.MODELS, gives the key credit > 0), joined by 0x1e.
-- credit_rollup also gets rows of basis NEW_CUSTOMER (first won deal of each account).
create table won_deal_rollup (
    workspace_id       text             not null,
    generation         integer          not null,
    part               integer          not null,
    dimension          text             not null,
    day                date             not null, -- UTC day of the close
    opportunity_id     text             not null,
    days_to_conversion double precision not null, -- close minus the revenue journey's first touch, in days
    profile            text             not null,
    count              integer          not null
);
create index won_deal_rollup_by_report on won_deal_rollup (workspace_id, generation, dimension, day);
create unique index won_deal_rollup_delta on won_deal_rollup
    (workspace_id, generation, dimension, day, opportunity_id, days_to_conversion, md5(profile)) where part = -1;

-- The rollups written before lack these rows: reports compute on demand until a full recompute (recomputeRollups).
update rollup_state set ready = false;
