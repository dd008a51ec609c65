package io.closedloop.attribution.rollup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of one chunk of a full recompute's series (rollup_series.cells): whole keys, each with its cells by day, each
 * cell the day (epoch day) and the values of one index (RollupColumns.indexSelect, in that order). A report's index of a
 * generation reads a few chunks of contiguous bytes instead of a row per key and day.
 * <pre>int keys; per key: UTF key, int cells; per cell: int day, width × double</pre>
 */
public final class SeriesCodec {

    // Big-endian, as DataInputStream reads them back.
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);

    private final int width;
    /** The chunk after its key count: written in place (a full recompute writes gigabytes of cells through here). */
    private byte[] bytes = new byte[1 << 16];
    private int size;
    private final ByteArrayOutputStream keyBytes = new ByteArrayOutputStream();
    private final DataOutputStream keyOut = new DataOutputStream(keyBytes);
    /** Where the open key's cell count goes, or −1 when no key is open. */
    private int cellCountAt = -1;
    private int keys;
    private int cells;

    /** A writer of chunks of cells {@code width} values wide. */
    public SeriesCodec(int width) {
        this.width = width;
    }

    /** Starts the next key; its cells follow by day. */
    public void key(String name) {
        endKey();
        try {
            keyBytes.reset();
            keyOut.writeUTF(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] utf = keyBytes.toByteArray();
        ensure(utf.length + 4);
        System.arraycopy(utf, 0, bytes, size, utf.length);
        size += utf.length;
        cellCountAt = size;
        size += 4;
        keys++;
    }

    public void cell(int day, double[] values) {
        ensure(4 + 8 * width);
        INT.set(bytes, size, day);
        int at = size + 4;
        for (int c = 0; c < width; c++) {
            DOUBLE.set(bytes, at, values[c]);
            at += 8;
        }
        size = at;
        cells++;
    }

    /** The bytes of the chunk so far. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return keys == 0;
    }

    /** The chunk's bytes; the writer starts a new chunk. */
    public byte[] finish() {
        endKey();
        byte[] chunk = new byte[4 + size];
        INT.set(chunk, 0, keys);
        System.arraycopy(bytes, 0, chunk, 4, size);
        size = 0;
        keys = 0;
        return chunk;
    }

    private void endKey() {
        if (cellCountAt >= 0) {
            // The key's cell count is known only now.
            INT.set(bytes, cellCountAt, cells);
            cellCountAt = -1;
            cells = 0;
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + more));
        }
    }

    /** Adds a chunk's cells to {@code into} (a builder of the same width). */
    public static void decode(byte[] chunk, int width, DaySums.Builder into) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(chunk));
            // The cells are read as one buffer per key: a chunk holds millions of values.
            ByteBuffer cellBytes = ByteBuffer.wrap(chunk);
            int keys = in.readInt();
            double[] values = new double[width];
            int cellSize = 4 + 8 * width;
            for (int k = 0; k < keys; k++) {
                int number = into.number(in.readUTF());
                int cells = in.readInt();
                int at = chunk.length - in.available();
                for (int i = 0; i < cells; i++) {
                    int day = cellBytes.getInt(at);
                    for (int c = 0; c < width; c++) {
                        values[c] = cellBytes.getDouble(at + 4 + 8 * c);
                    }
                    into.add(number, day, values, 0);
                    at += cellSize;
                }
                in.skipNBytes((long) cells * cellSize);
            }
        } catch (IOException e) {
            throw new IllegalStateException("a series chunk that does not decode", e);
        }
    }
}
