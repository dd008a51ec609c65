package io.closedloop.ingestion.csv;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV (RFC 4180: comma-separated, fields optionally in double quotes, "" for a quote inside
 * quotes, CRLF or LF line ends, line breaks inside quoted fields) one record at a time, so files
 * of any size are read in bounded memory. A leading byte-order mark is skipped. A field longer
 * than {@value #MAX_FIELD} characters or a record of more than {@value #MAX_FIELDS} fields is a
 * {@link CsvException} (an unclosed quote ends up there too).
 */
public final class CsvReader implements AutoCloseable {

    public static final int MAX_FIELD = 100_000;
    public static final int MAX_FIELDS = 1_000;
    /** Characters of one record, all fields together (1,000 fields of 100,000 would be 100 M). */
    public static final int MAX_RECORD = 1_000_000;

    private final Reader in;
    private final char[] buffer = new char[65536];
    private int position;
    private int limit;
    private long line = 1;
    private long recordLine;
    private boolean first = true;
    private boolean ended;
    private int recordChars;

    public CsvReader(Reader in) {
        this.in = in;
    }

    /** The line (1-based) the last record returned started on. */
    public long recordLine() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of the input. Blank lines are skipped. */
    public List<String> next() throws IOException {
        while (true) {
            List<String> record = read();
            if (record == null) {
                return null;
            }
            if (!(record.size() == 1 && record.get(0).isEmpty())) {
                return record;
            }
        }
    }

    private List<String> read() throws IOException {
        int c = peek();
        if (c < 0) {
            return null;
        }
        recordLine = line;
        recordChars = 0;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            c = take();
            if (c == '"' && field.isEmpty()) {
                readQuoted(field);
                c = take();
                while (c == ' ' || c == '\t') {
                    c = take();
                }
                if (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                    throw new CsvException(recordLine, "unexpected '" + (char) c + "' after a quoted field");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                    append(field, (char) c);
                    c = take();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (fields.size() > MAX_FIELDS) {
                throw new CsvException(recordLine, "more than " + MAX_FIELDS + " fields");
            }
            if (c == ',') {
                continue;
            }
            if (c == '\r' && peek() == '\n') {
                take();
            }
            if (c == '\n' || c == '\r') {
                line++;
            }
            return fields;
        }
    }

    private void readQuoted(StringBuilder field) throws IOException {
        while (true) {
            int c = take();
            if (c < 0) {
                throw new CsvException(recordLine, "a quoted field is not closed before the end of the file");
            }
            if (c == '"') {
                if (peek() == '"') {
                    take();
                    append(field, '"');
                    continue;
                }
                return;
            }
            if (c == '\n') {
                line++;
            }
            append(field, (char) c);
        }
    }

    private void append(StringBuilder field, char c) {
        if (++recordChars > MAX_RECORD) {
            throw new CsvException(recordLine, "a record is longer than " + MAX_RECORD + " characters");
        }
        if (field.length() >= MAX_FIELD) {
            throw new CsvException(recordLine, "a field is longer than " + MAX_FIELD + " characters (an unclosed quote?)");
        }
        field.append(c);
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position];
    }

    private int take() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++];
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            ended = true;
            return false;
        }
        position = 0;
        limit = n;
        if (first) {
            first = false;
            if (buffer[0] == '\uFEFF') {
                position = 1;
                return position < limit || fill();
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
