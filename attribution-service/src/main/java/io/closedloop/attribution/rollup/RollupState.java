package io.closedloop.attribution.rollup;

import java.time.Instant;

/**
 * A workspace's row of {@code rollup_state}: the generation reports read and the parameters it
 * was computed with; {@code building} (null when none) is the generation a full recompute writes.
 */
public record RollupState(String workspace, int generation, int lookbackDays, double halfLifeDays, boolean ready,
                          Integer building, Integer buildingLookbackDays, Double buildingHalfLifeDays,
                          Integer buildingPartitions, Instant updatedAt) {

    /** The version of the data reports read: every delta and spend page moves updatedAt, a recompute the generation. */
    public String version() {
        return generation + "@" + updatedAt;
    }
}
