package io.closedloop.attribution.recompute;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * Builds rows in PostgreSQL's binary COPY format ({@code copy ... from stdin (format binary)}), the
 * write side of {@link BinaryCopyReader}: a rollup row carries 48 doubles, which as text cost Java a
 * Double.toString and PostgreSQL a float parse each. Only the types the recompute writes: text,
 * int4, date, float8[].
 */
final class BinaryCopyWriter {

    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int FLOAT8_OID = 701;
    /** Days from the Unix epoch to PostgreSQL's epoch, 2000-01-01 (binary dates count from it). */
    private static final long PG_EPOCH_DAY = LocalDate.of(2000, 1, 1).toEpochDay();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    private final DataOutputStream out = new DataOutputStream(bytes);
    private int rows;

    BinaryCopyWriter() {
        reset();
    }

    /** Starts a row of {@code fields} columns; the fields follow in column order. */
    BinaryCopyWriter row(int fields) {
        rows++;
        return write(() -> out.writeShort(fields));
    }

    BinaryCopyWriter text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return write(() -> {
            out.writeInt(utf8.length);
            out.write(utf8);
        });
    }

    BinaryCopyWriter int4(int value) {
        return write(() -> {
            out.writeInt(4);
            out.writeInt(value);
        });
    }

    BinaryCopyWriter date(LocalDate value) {
        return write(() -> {
            out.writeInt(4);
            out.writeInt((int) (value.toEpochDay() - PG_EPOCH_DAY));
        });
    }

    /** A one-dimensional float8[] without nulls. */
    BinaryCopyWriter float8Array(double[] values) {
        return write(() -> {
            out.writeInt(20 + 12 * values.length);
            out.writeInt(1); // dimensions
            out.writeInt(0); // no nulls
            out.writeInt(FLOAT8_OID);
            out.writeInt(values.length);
            out.writeInt(1); // lower bound
            for (double v : values) {
                out.writeInt(8);
                out.writeDouble(v);
            }
        });
    }

    int rows() {
        return rows;
    }

    /** The rows so far with the trailer, for {@code CopyManager.copyIn}; then {@link #reset} for the next chunk. */
    InputStream stream() {
        write(() -> out.writeShort(-1));
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    void reset() {
        bytes.reset();
        rows = 0;
        write(() -> {
            out.write(SIGNATURE);
            out.writeInt(0); // flags
            out.writeInt(0); // header extension length
        });
    }

    private interface Field {
        void write() throws IOException;
    }

    private BinaryCopyWriter write(Field field) {
        try {
            field.write();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return this;
    }
}
