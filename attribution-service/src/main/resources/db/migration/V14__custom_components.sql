-- credit_rollup's arrays gain the custom model's components after the standard models (CreditRollup.COMPONENTS,
-- SQL index 11..19), so custom weights that are all > 0 are answered from the rollups (RollupColumns). Rows written
-- before lack them: reports compute on demand until a full recompute, which catch-up mode starts by itself once the
-- feeds are consumed (RecomputeService.finishCatchUps), or an admin starts with recomputeRollups.
update rollup_state set ready = false, catching_up = true;
