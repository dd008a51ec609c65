package io.closedloop.ingestion.csv;

import org.eclipse.microprofile.graphql.Description;

import java.util.Locale;

/** Which column titles a CSV import understood (column import_job.mapping holds {@link #stored()}). */
@Description("How a CSV import's columns were matched to fields: the mapping parameter of POST /imports/{kind}.")
public enum ImportMapping {
    @Description("Salesforce report-export titles and API names (mapping=salesforce).")
    SALESFORCE,
    @Description("HubSpot export titles (mapping=hubspot).")
    HUBSPOT,
    @Description("The fields' own names as column titles (no mapping given).")
    FIELDS,
    @Description("A JSON object of field to column title (mapping={...}).")
    CUSTOM;

    /** The name stored and named in messages: {@code salesforce}, {@code hubspot}, {@code fields}, {@code custom}. */
    public String stored() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mapping of a stored name. */
    public static ImportMapping ofStored(String stored) {
        return valueOf(stored.toUpperCase(Locale.ROOT));
    }
}
