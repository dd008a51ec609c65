package io.closedloop.attribution.rollup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one chunk of a full recompute's series (rollup_series.cells): whole keys, each with its cells by day, each
 * cell the day (epoch day) and the values of one index (RollupColumns.indexSelect, in that order). A report's index of a
 * generation reads a few chunks of contiguous bytes instead of a row per key and day.
 * <pre>int keys; per key: UTF key, int cells; per cell: int day, width × double</pre>
 */
public final class SeriesCodec {

    private final int width;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private final ByteArrayOutputStream cellBytes = new ByteArrayOutputStream();
    private final DataOutputStream cellOut = new DataOutputStream(cellBytes);
    private String key;
    private int keys;
    private int cells;

    /** A writer of chunks of cells {@code width} values wide. */
    public SeriesCodec(int width) {
        this.width = width;
    }

    /** Starts the next key; its cells follow by day. */
    public void key(String name) {
        endKey();
        key = name;
    }

    public void cell(int day, double[] values) {
        try {
            cellOut.writeInt(day);
            for (int c = 0; c < width; c++) {
                cellOut.writeDouble(values[c]);
            }
            cells++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of the chunk so far, about. */
    public int size() {
        return bytes.size() + cellBytes.size();
    }

    public boolean isEmpty() {
        return keys == 0 && key == null;
    }

    /** The chunk's bytes; the writer starts a new chunk. */
    public byte[] finish() {
        endKey();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(4 + bytes.size());
        try {
            new DataOutputStream(chunk).writeInt(keys);
            bytes.writeTo(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.reset();
        keys = 0;
        return chunk.toByteArray();
    }

    private void endKey() {
        if (key == null) {
            return;
        }
        try {
            // The key's cell count is known only now.
            out.writeUTF(key);
            out.writeInt(cells);
            cellBytes.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cellBytes.reset();
        key = null;
        cells = 0;
        keys++;
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
