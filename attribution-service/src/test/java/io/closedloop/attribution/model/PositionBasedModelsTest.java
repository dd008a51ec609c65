package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static io.closedloop.attribution.model.TestJourneys.pipelineOf;

import org.junit.jupiter.api.Test;

/** U (position-based), J and inverse J. */
class PositionBasedModelsTest {

    private final PositionBasedModel u = new PositionBasedModel();
    private final JShapedModel j = new JShapedModel();
    private final InverseJShapedModel inverseJ = new InverseJShapedModel();

    @Test
    void uShapedGivesOneTouchEverything() {
        assertCredits(new double[] {1}, u.credit(pipelineOf(1)));
    }

    @Test
    void uShapedSplitsTwoTouchesFiftyFifty() {
        assertCredits(new double[] {0.5, 0.5}, u.credit(pipelineOf(2)));
    }

    @Test
    void uShapedGivesFortyFortyAndTwentyToTheMiddle() {
        assertCredits(new double[] {0.4, 0.2, 0.4}, u.credit(pipelineOf(3)));
        double m = 0.2 / 3;
        assertCredits(new double[] {0.4, m, m, m, 0.4}, u.credit(pipelineOf(5)));
    }

    @Test
    void jShapedSplitsTwoTouchesTwentyFiveSeventyFive() {
        assertCredits(new double[] {0.25, 0.75}, j.credit(pipelineOf(2)));
    }

    @Test
    void jShapedGivesTwentySixtyAndTwentyToTheMiddle() {
        assertCredits(new double[] {1}, j.credit(pipelineOf(1)));
        assertCredits(new double[] {0.2, 0.2, 0.6}, j.credit(pipelineOf(3)));
        assertCredits(new double[] {0.2, 0.1, 0.1, 0.6}, j.credit(pipelineOf(4)));
    }

    @Test
    void inverseJSplitsTwoTouchesSeventyFiveTwentyFive() {
        assertCredits(new double[] {0.75, 0.25}, inverseJ.credit(pipelineOf(2)));
    }

    @Test
    void inverseJGivesSixtyTwentyAndTwentyToTheMiddle() {
        assertCredits(new double[] {1}, inverseJ.credit(pipelineOf(1)));
        assertCredits(new double[] {0.6, 0.2, 0.2}, inverseJ.credit(pipelineOf(3)));
        assertCredits(new double[] {0.6, 0.1, 0.1, 0.2}, inverseJ.credit(pipelineOf(4)));
    }
}
