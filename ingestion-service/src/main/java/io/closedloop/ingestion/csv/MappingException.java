package io.closedloop.ingestion.csv;

/** A mapping or header that cannot work for the file: the import is refused (400) with this message. */
public class MappingException extends IllegalArgumentException {

    public MappingException(String message) {
        super(message);
    }
}
