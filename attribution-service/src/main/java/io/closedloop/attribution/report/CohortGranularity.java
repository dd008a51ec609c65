package io.closedloop.attribution.report;

import org.eclipse.microprofile.graphql.Description;

/** How cohort LTV groups customers by their acquisition date. */
@Description("How customers are grouped by the close of their first won deal.")
public enum CohortGranularity {
    MONTH,
    QUARTER
}
