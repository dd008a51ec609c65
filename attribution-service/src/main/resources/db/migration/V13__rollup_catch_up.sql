-- Catch-up mode (IncrementalRollups): a feed consumer far behind its producer (closedloop.rollups.catch-up-pages
-- full pages in a row) stops maintaining the rollups page by page, which costs a before/after journey load of every
-- touched account per page. It marks the workspace's rollups not ready (reports compute on demand meanwhile) and
-- catching_up; once every consumer is caught up, one full recompute (RecomputeService.finishCatchUps) rebuilds them.
alter table rollup_state add column catching_up boolean not null default false;
