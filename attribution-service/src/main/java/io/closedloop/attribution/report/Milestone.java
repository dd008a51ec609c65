package io.closedloop.attribution.report;

import org.eclipse.microprofile.graphql.Description;

/** The milestones of a journey (DESIGN §4) a touch can be. */
@Description("A journey milestone a touch is.")
public enum Milestone {
    @Description("First touch.")
    FT,
    @Description("Lead creation.")
    LC,
    @Description("Opportunity creation.")
    OC,
    @Description("Closed won (REVENUE basis).")
    CW
}
