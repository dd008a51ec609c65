package io.closedloop.attribution;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** A workspace's model defaults; a report may override each per query. */
@Entity
@Table(name = "attribution_settings")
@Description("The caller's workspace's attribution defaults; reports may override them per query.")
public class AttributionSettings extends PanacheEntityBase {

    public static final int DEFAULT_LOOKBACK_DAYS = 365;
    public static final double DEFAULT_HALF_LIFE_DAYS = 7;

    @Id
    @Ignore
    @Column(name = "workspace_id")
    public String workspaceId;

    @Description("Touches up to this many days before an opportunity's creation count for it (1 to 3650).")
    @Column(name = "lookback_days")
    public int lookbackDays = DEFAULT_LOOKBACK_DAYS;

    @Description("The time-decay model's half-life in days (> 0).")
    @Column(name = "half_life_days")
    public double halfLifeDays = DEFAULT_HALF_LIFE_DAYS;

    @Description("Whose touches make up an opportunity's journey.")
    @Enumerated(EnumType.STRING)
    @Column(name = "journey_scope")
    public JourneyScope journeyScope = JourneyScope.ACCOUNT;

    @Description("When the settings last changed; null while the workspace uses the defaults.")
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;

    public static AttributionSettings defaults(String workspace) {
        AttributionSettings settings = new AttributionSettings();
        settings.workspaceId = workspace;
        return settings;
    }
}
