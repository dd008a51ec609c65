package io.closedloop.ingestion;

import org.eclipse.microprofile.graphql.Description;

/** Where a CSV import stands (column import_job.state). */
@Description("Where a CSV import stands. RUNNING also covers a job waiting for a free import slot and one pausing for its"
        + " workspace's row rate: both go on by themselves, so they are not states of their own. A running job whose service"
        + " stopped shows FAILED (see message) once its heartbeat is stale.")
public enum ImportState {
    @Description("Accepted and not ended: waiting for a slot, reading and storing rows, or pausing for the workspace's rate.")
    RUNNING,
    @Description("Every row read; some may have been rejected (rowsRejected, errors).")
    SUCCEEDED,
    @Description("Stopped (a malformed file, an error, or the service stopped while importing); rows counted as accepted were"
            + " stored. message says why.")
    FAILED
}
