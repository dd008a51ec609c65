package io.closedloop.ingestion.csv;

/** A CSV file that cannot be read on: the line and why. */
public class CsvException extends RuntimeException {

    private final long line;

    public CsvException(long line, String message) {
        super("line " + line + ": " + message, null, false, false);
        this.line = line;
    }

    public long line() {
        return line;
    }
}
