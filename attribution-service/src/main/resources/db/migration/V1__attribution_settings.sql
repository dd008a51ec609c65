-- Per-workspace model defaults; a workspace without a row uses the defaults of DESIGN §4.
create table attribution_settings (
    workspace_id          text primary key,
    lookback_days         integer          not null default 365 check (lookback_days between 1 and 3650),
    half_life_days        double precision not null default 7 check (half_life_days > 0),
    journey_scope         text             not null default 'ACCOUNT' check (journey_scope in ('ACCOUNT', 'CONTACT_ROLES')),
    updated_at            timestamptz      not null default now()
);
