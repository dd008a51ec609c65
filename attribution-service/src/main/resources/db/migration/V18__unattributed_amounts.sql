-- The unattributed conversions' counts now carry their amounts (issue 17: totals show unattributed { count amount }, so
-- attributed + unattributed = the scope's amount). Rollups built before hold 0 there: as after V16, reports compute on
-- demand until the catch-up's full recompute has rebuilt them.
update rollup_state set ready = false, catching_up = true;
