-- Attribution's report of each erasure job (DESIGN §6; ingestion V3): counts only, posted to ingestion and deleted once
-- ingestion took it (FeedConsumers).
create table erasure_report (
    erasure_id   text primary key,
    workspace_id text  not null,
    removed      jsonb not null
);
