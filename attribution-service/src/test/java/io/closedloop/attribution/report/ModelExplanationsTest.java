package io.closedloop.attribution.report;

import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.report.ReportViews.ChannelEffect;
import io.closedloop.attribution.report.ReportViews.Coalition;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Explanations equal the chain worked by hand. Population: A→B converts, A alone does not, B alone converts.
 * Markov order 1: start→A 2, start→B 1, A→B 1, A→null 1, B→conversion 2. x_B = 1, x_A = ½, P = x_start = ⅔·½ + ⅓·1 = ⅔.
 * Without A: P = ⅓, RE_A = ½; without B: P = 0, RE_B = 1. A→B's credit: A ½/1½ = ⅓, B ⅔; B alone: B 1.
 * Shapley: r({A,B}) = 1, r({A}) = 0, r({B}) = 1; for {A,B}: φ_A = ½[(0 − 0) + (1 − 1)] = 0, φ_B = ½[(1 − 0) + (1 − 0)] = 1.
 */
class ModelExplanationsTest {

    private static final PathPopulation POPULATION = PathPopulation.builder()
            .add(true, "A", "B")
            .add(false, "A")
            .add(true, "B")
            .build();

    @Test
    void markovShowsTheConversionProbabilityAndEachChannelsRemovalEffect() {
        ModelExplanation e = ModelExplanations.markov(POPULATION, new MarkovChainModel(1).fit(POPULATION));
        assertEquals(3, e.journeys());
        assertEquals(2, e.conversions());
        assertEquals(2.0 / 3, e.conversionProbability(), 1e-12);
        ChannelEffect b = e.channels().get(0);
        ChannelEffect a = e.channels().get(1);
        assertEquals("B", b.channel());
        assertEquals(5.0 / 3, b.credit(), 1e-12);
        assertEquals(1.0, b.removalEffect(), 1e-12);
        assertEquals(0.0, b.conversionProbabilityWithout(), 1e-12);
        assertEquals("A", a.channel());
        assertEquals(1.0 / 3, a.credit(), 1e-12);
        assertEquals(0.5, a.removalEffect(), 1e-12);
        assertEquals(1.0 / 3, a.conversionProbabilityWithout(), 1e-12);
        assertNull(e.coalitions());
    }

    @Test
    void shapleyShowsTheCoalitionsAndTheirConversionRates() {
        ShapleyModel.Explained shapley = new ShapleyModel().explained(POPULATION);
        ModelExplanation e = ModelExplanations.shapley(POPULATION, shapley.credits(), shapley.coalitions());
        assertNull(e.conversionProbability());
        assertEquals(List.of(new ChannelEffect("B", 2.0, null, null), new ChannelEffect("A", 0.0, null, null)), e.channels());
        assertEquals(List.of(new Coalition(List.of("A"), 1, 0, 0.0), new Coalition(List.of("A", "B"), 1, 1, 1.0),
                new Coalition(List.of("B"), 1, 1, 1.0)), e.coalitions());
        assertEquals(3, e.coalitionCount());
    }
}
