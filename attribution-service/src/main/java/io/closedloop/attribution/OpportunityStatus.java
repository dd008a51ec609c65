package io.closedloop.attribution;

import org.eclipse.microprofile.graphql.Description;

/** An opportunity's state as the CRM feed says (docs/feeds.md). */
@Description("An opportunity's state.")
public enum OpportunityStatus {
    OPEN,
    WON,
    LOST;

    /** The status of a feed value, null for one this version does not know. */
    public static OpportunityStatus of(String value) {
        for (OpportunityStatus s : values()) {
            if (s.name().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
