package io.closedloop.ingestion.segment;

/** A request the Segment endpoints refuse as a whole, with its HTTP status (400, 401, 413, 415, 429). */
public class SegmentException extends RuntimeException {

    private final int status;

    public SegmentException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static SegmentException badRequest(String message) {
        return new SegmentException(400, message);
    }

    public static SegmentException tooLarge(String message) {
        return new SegmentException(413, message);
    }
}
