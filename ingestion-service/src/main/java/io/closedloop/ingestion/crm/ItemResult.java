package io.closedloop.ingestion.crm;

/** The outcome of one item of a list mutation or one CSV row. */
public record ItemResult(int index, String id, Status status, String field, String error) {

    public enum Status {
        /** Stored for the first time. */
        CREATED,
        /** Stored before and changed now (a new feed item). */
        UPDATED,
        /** Stored before exactly so: nothing written, no feed item. */
        UNCHANGED,
        /** Not stored; {@code field} and {@code error} say why. */
        REJECTED
    }

    public static ItemResult rejected(int index, String id, String field, String error) {
        return new ItemResult(index, id, Status.REJECTED, field, error);
    }
}
