package io.closedloop.attribution.repository;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads rows of PostgreSQL's binary COPY format ({@code copy (...) to stdout (format binary)}),
 * field by field in column order. Only the types the recompute reads: text, timestamptz (as epoch
 * milliseconds, floored like {@code floor(extract(epoch from t) * 1000)}), float8.
 */
public final class BinaryCopyReader implements AutoCloseable {

    /** Milliseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01 (binary timestamps count from it). */
    private static final long PG_EPOCH_MILLIS = 946_684_800_000L;
    private static final long PG_EPOCH_SECONDS = PG_EPOCH_MILLIS / 1000;
    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);

    private final DataInputStream in;
    private final int columns;
    /** Values that repeat a lot (dimension values): one String per distinct value, not one per row. */
    private final Map<ByteKey, String> shared = new HashMap<>();
    private final ByteKey probe = new ByteKey();
    private byte[] buffer = new byte[256];
    private int fieldsLeft;

    public BinaryCopyReader(InputStream copyOut, int columns) throws IOException {
        this.in = new DataInputStream(new BufferedInputStream(copyOut, 1 << 16));
        this.columns = columns;
        byte[] signature = new byte[SIGNATURE.length];
        in.readFully(signature);
        if (!Arrays.equals(signature, SIGNATURE)) {
            throw new IOException("not a binary COPY stream");
        }
        in.readInt(); // flags
        in.skipNBytes(in.readInt()); // header extension
    }

    /** Starts the next row (skipping what is left of the current one); false at the end. */
    public boolean nextRow() throws IOException {
        skipRest();
        short fields = in.readShort();
        if (fields == -1) {
            return false;
        }
        if (fields != columns) {
            throw new IOException("expected " + columns + " columns, got " + fields);
        }
        fieldsLeft = columns;
        return true;
    }

    public String text() throws IOException {
        int length = length();
        return length < 0 ? null : new String(bytes(length), 0, length, StandardCharsets.UTF_8);
    }

    /** A text value shared with earlier rows of the same bytes. */
    public String sharedText() throws IOException {
        int length = length();
        if (length < 0) {
            return null;
        }
        byte[] b = bytes(length);
        String value = shared.get(probe.set(b, length));
        if (value == null) {
            value = new String(b, 0, length, StandardCharsets.UTF_8);
            shared.put(new ByteKey().set(Arrays.copyOf(b, length), length), value);
        }
        return value;
    }

    /** timestamptz as epoch milliseconds (microseconds floored), null when NULL. */
    public Long millis() throws IOException {
        int length = length();
        if (length < 0) {
            return null;
        }
        return Math.floorDiv(in.readLong(), 1000L) + PG_EPOCH_MILLIS;
    }

    /** timestamptz to the microsecond, as the SQL client reads it; null when NULL. */
    public Instant instant() throws IOException {
        int length = length();
        if (length < 0) {
            return null;
        }
        long micros = in.readLong();
        return Instant.ofEpochSecond(PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    private int length() throws IOException {
        fieldsLeft--;
        return in.readInt();
    }

    private void skipRest() throws IOException {
        while (fieldsLeft > 0) {
            int length = length();
            if (length > 0) {
                in.skipNBytes(length);
            }
        }
    }

    private byte[] bytes(int length) throws IOException {
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        in.readFully(buffer, 0, length);
        return buffer;
    }

    /** Closing before the end cancels the COPY. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Bytes as a map key; one instance is reused as the probe so a lookup allocates nothing. */
    private static final class ByteKey {
        private byte[] bytes;
        private int length;
        private int hash;

        ByteKey set(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
            int h = 1;
            for (int i = 0; i < length; i++) {
                h = 31 * h + bytes[i];
            }
            hash = h;
            return this;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByteKey k && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
        }
    }
}
