package io.closedloop.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongLongMapTest {

    @Test
    void behavesLikeHashMapThroughGrowth() {
        LongLongMap map = new LongLongMap(4);
        Map<Long, Long> expected = new HashMap<>();
        Random random = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            long key = 1 + random.nextInt(50_000) * 0x1_0000_0001L; // structured keys collide in naive hashes
            map.addTo(key, 3);
            expected.merge(key, 3L, Long::sum);
        }
        assertEquals(expected.size(), map.size());
        expected.forEach((key, value) -> assertEquals(value, map.get(key, -1)));
        assertEquals(-1, map.get(123_456_789L, -1));
        assertEquals(7, map.putIfAbsent(99, 7));
        assertEquals(7, map.putIfAbsent(99, 8));
    }

    @Test
    void keyZeroIsReserved() {
        assertThrows(IllegalArgumentException.class, () -> new LongLongMap(4).addTo(0, 1));
    }
}
