-- won_deal_rollup.profile entries are now length-prefixed (<key length>:<key><mask>;) instead of
-- joined by U+001E/U+001F, which a campaign or content value could contain (DealRow). The rows in
-- the old form are dropped; as after V14, reports compute on demand until the catch-up's full
-- recompute has rebuilt them.
delete from won_deal_rollup;
update rollup_state set ready = false, catching_up = true;
