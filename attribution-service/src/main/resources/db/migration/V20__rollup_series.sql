-- Issue 20: a full recompute writes its sums as series instead of credit_rollup rows (part >= 0): per partition, basis,
-- dimension and index (RollupColumns.indexName: one per standard model, COMPONENTS for custom weights), chunks of whole
-- keys, each key's cells by day (SeriesCodec). A report's index (RollupIndex) of a generation reads a few MB of contiguous
-- bytes instead of a million rows of every model; credit_rollup keeps the incremental deltas (part = -1).
create table rollup_series (
    workspace_id text    not null,
    generation   integer not null,
    part         integer not null,
    basis        text    not null,
    dimension    text    not null,
    columns      text    not null,
    chunk        integer not null,
    cells        bytea   not null,
    primary key (workspace_id, generation, basis, dimension, columns, part, chunk)
);
-- Doubles do not compress: stored as they are, read without decompressing.
alter table rollup_series alter column cells set storage external;
-- Generations built before have their parts as rows only: reports compute on demand until the catch-up's full recompute.
update rollup_state set ready = false, catching_up = true;
