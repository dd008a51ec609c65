-- The rollups' first won deal of an account (the new-customer figures) is now picked by close time to the microsecond and
-- then id in code point order, as the SQL of the on-demand reports picks it (before: to the millisecond). Rollups built
-- before may have picked the other of two deals closed within one millisecond: as after V16 and V18, reports compute on
-- demand until the catch-up's full recompute has rebuilt them.
update rollup_state set ready = false, catching_up = true;
