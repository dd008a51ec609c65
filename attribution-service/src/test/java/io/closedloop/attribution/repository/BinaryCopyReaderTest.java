package io.closedloop.attribution.repository;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryCopyReaderTest {

    /** PostgreSQL's timestamptz travels as microseconds since 2000-01-01 UTC. */
    private static final long PG_EPOCH_SECONDS = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void timestampsAreReadToTheMicrosecondAsTheSqlClientReadsThem() throws IOException {
        Instant after = Instant.parse("2026-03-10T09:15:02.123456Z");
        Instant before = Instant.parse("1999-12-31T23:59:59.999999Z"); // negative microseconds: floored, not truncated
        BinaryCopyReader reader = new BinaryCopyReader(new ByteArrayInputStream(copy(micros(after), micros(before), null)), 3);
        assertTrue(reader.nextRow());
        assertEquals(after, reader.instant());
        assertEquals(before, reader.instant());
        assertNull(reader.instant());
        assertFalse(reader.nextRow());
        reader = new BinaryCopyReader(new ByteArrayInputStream(copy(micros(after), micros(before), null)), 3);
        assertTrue(reader.nextRow());
        assertEquals(after.toEpochMilli(), reader.millis());
        assertEquals(before.toEpochMilli(), reader.millis(), "the models' milliseconds, floored as Instant.toEpochMilli floors");
    }

    private static long micros(Instant t) {
        return (t.getEpochSecond() - PG_EPOCH_SECONDS) * 1_000_000L + t.getNano() / 1000;
    }

    /** One row of int8 fields (null: NULL) in COPY's binary format. */
    private static byte[] copy(Long... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[]{'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
        out.writeInt(0);
        out.writeInt(0);
        out.writeShort(values.length);
        for (Long v : values) {
            if (v == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(8);
                out.writeLong(v);
            }
        }
        out.writeShort(-1);
        return bytes.toByteArray();
    }
}
