-- What the reports of DESIGN §5 need beyond journeys (ReportFeedApply, docs/reports.md).

-- ingestion `revenue`: invoiced or paid money of an account, in the reporting currency.
create table revenue (
    workspace_id   text        not null,
    id             text        not null,
    account_id     text,
    opportunity_id text,
    amount         numeric     not null,
    currency       text,
    occurred_at    timestamptz not null,
    primary key (workspace_id, id)
);
create index revenue_by_time on revenue (workspace_id, occurred_at);
create index revenue_by_account on revenue (workspace_id, account_id);

-- ingestion `spend`: marketing cost per day, channel, source, medium, campaign.
create table spend (
    workspace_id text    not null,
    id           text    not null,
    day          date    not null,
    channel      text    not null,
    source       text,
    medium       text,
    campaign     text,
    amount       numeric not null,
    currency     text,
    primary key (workspace_id, id)
);
create index spend_by_day on spend (workspace_id, day);

-- The crm opportunity's stage history and contact roles (with role names), for the account view and data quality.
alter table opportunity add column stage_history jsonb not null default '[]';
alter table opportunity add column contact_roles jsonb not null default '[]';

-- The touch's utmValid flag (data quality); null when the producer did not say.
alter table touch add column utm_valid boolean;

-- Which touch types count as marketing (sourced / influenced, pipeline influence); a workspace
-- without a row uses ReportSettings.DEFAULT_MARKETING_TOUCH_TYPES.
create table report_settings (
    workspace_id           text primary key,
    marketing_touch_types  text[] not null,
    updated_at             timestamptz not null default now()
);
