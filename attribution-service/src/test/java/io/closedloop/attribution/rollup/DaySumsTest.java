package io.closedloop.attribution.rollup;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DaySumsTest {

    @Test
    void aPeriodSumsTheCellsOfItsDaysPerKeyAndLeavesOutKeysWithoutOne() {
        DaySums sums = DaySums.builder(2, new KeyNumbers())
                .add("email", 10, new double[] {1, 100}, 0)
                .add("email", 12, new double[] {2, 200}, 0)
                .add("ads", 11, new double[] {4, 400}, 0)
                // a second writer's row of the same cell, out of day order
                .add("email", 10, new double[] {0.5, 50}, 0)
                .add("email", 20, new double[] {8, 800}, 0)
                .build();
        Map<String, double[]> period = read(sums, 10, 13);
        assertEquals(2, period.size());
        assertArrayEquals(new double[] {3.5, 350}, period.get("email"));
        assertArrayEquals(new double[] {4, 400}, period.get("ads"));
        // [to) excludes day 20; a period with no day of "ads" has no ads row.
        assertArrayEquals(new double[] {2}, new double[] {read(sums, 12, 20).get("email")[0]});
        assertEquals(Map.of(), read(sums, 13, 20));
        assertEquals(1, read(sums, 20, 21).size());
    }

    @Test
    void anyPeriodEqualsTheDirectSumOfItsCellsWithinOneBillionth() {
        Random random = new Random(7);
        int width = 3;
        DaySums.Builder builder = DaySums.builder(width, new KeyNumbers());
        Map<String, Map<Integer, double[]>> cells = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            int n = random.nextInt(40);
            String key = "k" + n;
            // half the keys over two years, half within a few days of their own (a period skips or holds them whole)
            int day = n < 20 ? 20_000 + random.nextInt(730) : 20_000 + n * 17 + random.nextInt(5);
            double[] values = {random.nextDouble(), random.nextDouble() * 1e6, random.nextInt(3)};
            builder.add(key, day, values, 0);
            double[] cell = cells.computeIfAbsent(key, k -> new HashMap<>()).computeIfAbsent(day, d -> new double[width]);
            for (int c = 0; c < width; c++) {
                cell[c] += values[c];
            }
        }
        DaySums sums = builder.build();
        for (int q = 0; q < 400; q++) {
            int from = 20_000 + random.nextInt(730);
            int to = from + 1 + random.nextInt(q % 2 == 0 ? 365 : 10);
            Map<String, double[]> expected = new HashMap<>();
            cells.forEach((key, byDay) -> byDay.forEach((day, cell) -> {
                if (day >= from && day < to) {
                    double[] e = expected.computeIfAbsent(key, k -> new double[width]);
                    for (int c = 0; c < width; c++) {
                        e[c] += cell[c];
                    }
                }
            }));
            Map<String, double[]> actual = read(sums, from, to);
            assertEquals(expected.keySet(), actual.keySet());
            double[] byNumber = new double[sums.numbers().size() * width];
            assertEquals(!expected.isEmpty(), sums.addTo(from, to, byNumber));
            expected.forEach((key, e) -> {
                int at = sums.numbers().number(key) * width;
                for (int c = 0; c < width; c++) {
                    assertEquals(e[c], byNumber[at + c], 1e-9 * Math.max(1, Math.abs(e[c])), key + " by number, column " + c);
                }
            });
            expected.forEach((key, e) -> {
                for (int c = 0; c < width; c++) {
                    assertEquals(e[c], actual.get(key)[c], 1e-9 * Math.max(1, Math.abs(e[c])), key + " column " + c);
                }
            });
        }
    }

    @Test
    void aRecomputesSeriesChunksDecodeIntoTheSameSumsAsItsCells() {
        SeriesCodec first = new SeriesCodec(2);
        first.key("ads");
        first.cell(11, new double[] {4, 400});
        first.key("é-mail ✉");
        first.cell(10, new double[] {1, 100});
        first.cell(12, new double[] {2, 200});
        byte[] one = first.finish();
        // another partition's chunk: the same key and day again
        first.key("é-mail ✉");
        first.cell(10, new double[] {0.5, 50});
        byte[] two = first.finish();
        DaySums.Builder builder = DaySums.builder(2, new KeyNumbers());
        SeriesCodec.decode(two, 2, builder);
        SeriesCodec.decode(one, 2, builder);
        Map<String, double[]> sums = read(builder.build(), 10, 12);
        assertArrayEquals(new double[] {1.5, 150}, sums.get("é-mail ✉"));
        assertArrayEquals(new double[] {4, 400}, sums.get("ads"));
    }

    @Test
    void aSeriesChunkIsTheDocumentedLayoutSoChunksStoredEarlierStillDecode() throws Exception {
        SeriesCodec codec = new SeriesCodec(2);
        codec.key("é-mail ✉");
        codec.cell(10, new double[] {1, -0.1});
        codec.cell(12, new double[] {Double.MIN_VALUE, 1e300});
        codec.key("ads");
        codec.cell(-3, new double[] {4, 400});
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(expected);
        out.writeInt(2);
        out.writeUTF("é-mail ✉");
        out.writeInt(2);
        out.writeInt(10);
        out.writeDouble(1);
        out.writeDouble(-0.1);
        out.writeInt(12);
        out.writeDouble(Double.MIN_VALUE);
        out.writeDouble(1e300);
        out.writeUTF("ads");
        out.writeInt(1);
        out.writeInt(-3);
        out.writeDouble(4);
        out.writeDouble(400);
        assertArrayEquals(expected.toByteArray(), codec.finish());
        assertTrue(codec.isEmpty(), "a new chunk after finish");
    }

    @Test
    void structuresNumberedAlikeAddTheirPeriodsIntoOneArrayByKeyNumber() {
        KeyNumbers numbers = new KeyNumbers();
        DaySums parts = DaySums.builder(2, numbers).add("email", 10, new double[] {1, 100}, 0)
                .add("ads", 11, new double[] {4, 400}, 0).build();
        // built later: a key the first has not seen gets the next number
        DaySums deltas = DaySums.builder(2, numbers).add("email", 12, new double[] {0.5, 50}, 0)
                .add("seo", 10, new double[] {2, 200}, 0).add("ads", 30, new double[] {9, 900}, 0).build();
        double[] sums = new double[numbers.size() * 2];
        boolean any = parts.addTo(10, 13, sums) | deltas.addTo(10, 13, sums);
        assertEquals(true, any);
        assertArrayEquals(new double[] {1.5, 150}, at(sums, numbers.number("email")));
        assertArrayEquals(new double[] {4, 400}, at(sums, numbers.number("ads")));
        assertArrayEquals(new double[] {2, 200}, at(sums, numbers.number("seo")));
        assertEquals(false, parts.addTo(13, 30, new double[numbers.size() * 2]));
    }

    private static double[] at(double[] sums, int number) {
        return new double[] {sums[number * 2], sums[number * 2 + 1]};
    }

    private static Map<String, double[]> read(DaySums sums, int from, int to) {
        Map<String, double[]> out = new HashMap<>();
        sums.forEach(from, to, out::put);
        return out;
    }
}
