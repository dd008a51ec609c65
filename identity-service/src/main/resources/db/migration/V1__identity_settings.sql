-- Per-workspace settings of identity resolution; a workspace without a row uses the defaults (DESIGN §9).
create table identity_settings (
    workspace_id          text primary key,
    explosion_guard_limit integer     not null default 50 check (explosion_guard_limit >= 2),
    updated_at            timestamptz not null default now()
);
