package io.closedloop.attribution.report;

import io.closedloop.attribution.model.ModelName;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * bench/intervals.sh (issue 22): the coverage of 90 % intervals of each channel's share of credit over many simulated
 * datasets — BootstrapIntervalsTest's and RefitIntervalsTest's checks at full size (1,000 datasets of 300 deals or accounts,
 * 1,000 resamples each by default).
 */
public final class IntervalCoverage {

    public static void main(String[] args) throws Exception {
        int datasets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int resamples = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int deals = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        // The rule-based models: each channel's share against its expected share; MARKOV and SHAPLEY, whose resamples refit
        // the model (RefitIntervals): each channel's credit against the accounts times the model's credit per account.
        for (ModelName model : List.of(ModelName.LINEAR, ModelName.W_SHAPED, ModelName.FIRST_TOUCH, ModelName.TIME_DECAY,
                ModelName.MARKOV, ModelName.SHAPLEY)) {
            boolean refit = !model.isRuleBased();
            long t0 = System.nanoTime();
            double coverage = refit ? RefitIntervalsTest.coverage(model, datasets, resamples, deals)
                    : BootstrapIntervalsTest.coverage(model, datasets, resamples, deals);
            System.out.printf("figure:   %s: 90 %% intervals cover the expected %s in %.2f %% of %,d cases (%,d datasets of %d %s,"
                    + " %,d %s each) in %.1f s%n", model, refit ? "credit" : "share", 100 * coverage, 4 * datasets, datasets, deals,
                    refit ? "accounts" : "deals", resamples, refit ? "refits" : "resamples", (System.nanoTime() - t0) / 1e9);
            System.out.printf("target:   87-93 %% -> %s%n", coverage >= 0.87 && coverage <= 0.93 ? "met" : "NOT met");
        }
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
}
