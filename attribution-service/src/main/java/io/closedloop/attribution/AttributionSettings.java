package io.closedloop.attribution;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** A workspace's model defaults (table attribution_settings); a report may override each per query. */
@Description("The caller's workspace's attribution defaults; reports may override them per query.")
public class AttributionSettings {

    public static final int DEFAULT_LOOKBACK_DAYS = 365;
    public static final double DEFAULT_HALF_LIFE_DAYS = 7;

    @Ignore
    public String workspaceId;

    @Description("Touches up to this many days before an opportunity's creation count for it (1 to 3650).")
    public int lookbackDays = DEFAULT_LOOKBACK_DAYS;

    @Description("The time-decay model's half-life in days (> 0).")
    public double halfLifeDays = DEFAULT_HALF_LIFE_DAYS;

    @Description("Whose touches make up an opportunity's journey.")
    public JourneyScope journeyScope = JourneyScope.ACCOUNT;

    @Description("When the settings last changed; null while the workspace uses the defaults.")
    public OffsetDateTime updatedAt;

    public static AttributionSettings defaults(String workspace) {
        AttributionSettings settings = new AttributionSettings();
        settings.workspaceId = workspace;
        return settings;
    }
}
