package io.closedloop.attribution;

import org.eclipse.microprofile.graphql.Description;

/** Whose touches make up an opportunity's journey (DESIGN §4). */
@Description("Whose touches make up an opportunity's journey.")
public enum JourneyScope {
    @Description("The touches of every person resolved to the opportunity's account.")
    ACCOUNT,
    @Description("The touches of the persons of the opportunity's contact roles, wherever those persons are resolved.")
    CONTACT_ROLES
}
