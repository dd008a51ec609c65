package io.closedloop.ingestion.segment;

/** Thrown while reading one message: it is rejected, naming the field ("" for the message itself). */
final class MessageRejected extends RuntimeException {

    final String field;

    MessageRejected(String field, String error) {
        super(error, null, false, false);
        this.field = field;
    }
}
