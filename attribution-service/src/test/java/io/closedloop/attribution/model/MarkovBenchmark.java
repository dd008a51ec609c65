package io.closedloop.attribution.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Times the data-driven models on 1,000,000 generated journeys over 12 channels (DESIGN §10:
 * model time from journeys in memory; loading time reported beside it). Not a test; run with
 * <pre>
 *   mvn -q test-compile
 *   java -cp target/classes:target/test-classes io.closedloop.attribution.model.MarkovBenchmark
 * </pre>
 * Journeys are seeded-random: path lengths 1–10 skewed short, channels skewed by popularity,
 * about 3% converting with a higher rate for longer, more varied paths and for some channels.
 * The generator runs in the same JVM before the models, on the same machine.
 */
public final class MarkovBenchmark {

    private static final String[] CHANNELS = {"paid search", "organic search", "direct", "email", "paid social",
        "organic social", "referral", "display", "affiliates", "video", "events", "other"};
    private static final int JOURNEYS = 1_000_000;
    private static final int RUNS = 3;

    public static void main(String[] args) {
        int journeys = args.length > 0 ? Integer.parseInt(args[0]) : JOURNEYS;
        System.out.printf(Locale.ROOT, "Java %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        long t0 = System.nanoTime();
        List<List<String>> paths = new ArrayList<>(journeys);
        boolean[] converting = new boolean[journeys];
        generate(new Random(20240601), paths, converting);
        long t1 = System.nanoTime();
        PathPopulation.Builder builder = PathPopulation.builder();
        for (int j = 0; j < journeys; j++) {
            builder.add(converting[j], paths.get(j));
        }
        PathPopulation population = builder.build();
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "generation: %,d journeys, %,d touches, %,d converting (%.2f%%) in %.0f ms%n",
                population.size(), population.touchCount(), population.convertingCount(),
                100.0 * population.convertingCount() / population.size(), (t1 - t0) / 1e6);
        System.out.printf(Locale.ROOT, "loading (encode channel lists into a PathPopulation): %.0f ms%n",
                (t2 - t1) / 1e6);

        report("Markov order 1", 1.0, () -> new MarkovChainModel(1).fit(population));
        report("Markov order 2", Double.NaN, () -> new MarkovChainModel(2).fit(population));
        report("Markov order 3", 3.0, () -> new MarkovChainModel(3).fit(population));
        report("Markov order 4", Double.NaN, () -> new MarkovChainModel(4).fit(population));
        report("Shapley", Double.NaN, () -> new ShapleyModel().fit(population));
    }

    private static void report(String name, double targetSeconds, Supplier<Object> model) {
        double first = 0;
        double best = Double.MAX_VALUE;
        Object result = null;
        String firstFingerprint = null;
        boolean identical = true;
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            result = model.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            first = run == 0 ? seconds : first;
            best = Math.min(best, seconds);
            String fingerprint = fingerprint(result);
            identical &= firstFingerprint == null || firstFingerprint.equals(fingerprint);
            firstFingerprint = run == 0 ? fingerprint : firstFingerprint;
        }
        String detail = result instanceof MarkovChainModel.Result r
                ? String.format(Locale.ROOT, " [%,d states, P = %.6f, total credit %.12f]", r.stateCount(),
                        r.conversionProbability(), r.credits().total())
                : String.format(Locale.ROOT, " [total credit %.12f]", ((DataDrivenCredits) result).total());
        detail += identical ? " bit-identical across runs" : " NOT bit-identical across runs";
        if (Double.isNaN(targetSeconds)) {
            System.out.printf(Locale.ROOT, "%-15s first run %.3f s, best of %d %.3f s (no target)%s%n",
                    name, first, RUNS, best, detail);
        } else {
            System.out.printf(Locale.ROOT,
                    "%-15s first run %.3f s, best of %d %.3f s; target < %.1f s; ratio first/target %.2f, best/target %.2f%s%n",
                    name, first, RUNS, best, targetSeconds, first / targetSeconds, best / targetSeconds, detail);
        }
    }

    /** Every double of the result as raw bits, so "identical" means to the last digit. */
    private static String fingerprint(Object result) {
        StringBuilder bits = new StringBuilder();
        DataDrivenCredits credits;
        if (result instanceof MarkovChainModel.Result r) {
            bits.append(Double.doubleToRawLongBits(r.conversionProbability())).append(';');
            r.removalEffects().forEach((c, re) -> bits.append(c).append('=')
                    .append(Double.doubleToRawLongBits(re)).append(';'));
            credits = r.credits();
        } else {
            credits = (DataDrivenCredits) result;
        }
        credits.channelTotals().forEach((c, total) -> bits.append(c).append('=')
                .append(Double.doubleToRawLongBits(total)).append(';'));
        return bits.toString();
    }

    private static void generate(Random random, List<List<String>> paths, boolean[] converting) {
        // Popularity ∝ 1/(rank+1)^0.8: paid search and organic search lead, "other" is rare.
        double[] cumulative = new double[CHANNELS.length];
        double total = 0;
        for (int c = 0; c < CHANNELS.length; c++) {
            total += 1 / Math.pow(c + 1, 0.8);
            cumulative[c] = total;
        }
        for (int j = 0; j < converting.length; j++) {
            int length = 1;
            while (length < 10 && random.nextDouble() < 0.55) {
                length++; // geometric: half the journeys have one touch, few reach ten
            }
            List<String> path = new ArrayList<>(length);
            long seen = 0;
            for (int i = 0; i < length; i++) {
                double u = random.nextDouble() * total;
                int c = 0;
                while (cumulative[c] < u) {
                    c++;
                }
                path.add(CHANNELS[c]);
                seen |= 1L << c;
            }
            double rate = 0.012 + 0.006 * Long.bitCount(seen) + ((seen & (1L << 10)) != 0 ? 0.05 : 0)
                    + ((seen & (1L << 3)) != 0 ? 0.01 : 0);
            converting[j] = random.nextDouble() < rate;
            paths.add(path);
        }
    }
}
