package io.closedloop.ingestion.segment;

/** A message of a request that was not stored: its index in the batch, its id if it had one, the field at fault and why. */
public record Rejection(int index, String messageId, String field, String error) {
}
