package io.closedloop.ingestion.graphql;

import org.eclipse.microprofile.graphql.Description;

/** An opportunity's status as stored (crm_opportunity.status). Described as attribution-service's enum of the same name. */
@Description("An opportunity's state.")
public enum OpportunityStatus {
    OPEN,
    WON,
    LOST
}
