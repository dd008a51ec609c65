package io.closedloop.attribution.report;

import io.closedloop.attribution.model.DataDrivenCredits;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.report.ReportViews.ChannelEffect;
import io.closedloop.attribution.report.ReportViews.Coalition;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A data-driven model's explanation from what the model computed (pure). */
public final class ModelExplanations {

    /** Coalitions an explanation lists at most (the ones with the most journeys); coalitionCount tells how many there are. */
    public static final int MAX_COALITIONS = 100;

    private ModelExplanations() {
    }

    /** P, and per channel its credit, removal effect and P without it (P · (1 − RE)). */
    public static ModelExplanation markov(PathPopulation population, MarkovChainModel.Result result) {
        double p = result.conversionProbability();
        List<ChannelEffect> channels = new ArrayList<>();
        for (String channel : population.channels()) {
            double effect = result.removalEffects().getOrDefault(channel, 0.0);
            channels.add(new ChannelEffect(channel, result.credits().channelTotals().getOrDefault(channel, 0.0), effect,
                    p * (1 - effect)));
        }
        channels.sort(byCredit());
        return new ModelExplanation(ModelName.MARKOV, population.size(), conversions(population), p, channels, null, null);
    }

    /** Per channel its credit, and the channel sets with their journeys, conversions and conversion rates. */
    public static ModelExplanation shapley(PathPopulation population, DataDrivenCredits credits, List<ShapleyModel.Coalition> coalitions) {
        List<ChannelEffect> channels = new ArrayList<>();
        for (String channel : population.channels()) {
            channels.add(new ChannelEffect(channel, credits.channelTotals().getOrDefault(channel, 0.0), null, null));
        }
        channels.sort(byCredit());
        List<Coalition> listed = coalitions.stream().limit(MAX_COALITIONS)
                .map(c -> new Coalition(c.channels(), c.journeys(), c.conversions(), c.conversionRate())).toList();
        return new ModelExplanation(ModelName.SHAPLEY, population.size(), conversions(population), null, channels, listed,
                coalitions.size());
    }

    private static Comparator<ChannelEffect> byCredit() {
        return Comparator.comparingDouble(ChannelEffect::credit).reversed().thenComparing(ChannelEffect::channel);
    }

    private static int conversions(PathPopulation population) {
        int n = 0;
        for (int j = 0; j < population.size(); j++) {
            n += population.isConverting(j) ? 1 : 0;
        }
        return n;
    }
}
