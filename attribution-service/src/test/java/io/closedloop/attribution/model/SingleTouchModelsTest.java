package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static io.closedloop.attribution.model.TestJourneys.pipeline;
import static io.closedloop.attribution.model.TestJourneys.pipelineOf;
import static io.closedloop.attribution.model.TestJourneys.touch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** First touch, last touch, last non-direct and linear. */
class SingleTouchModelsTest {

    private final FirstTouchModel first = new FirstTouchModel();
    private final LastTouchModel last = new LastTouchModel();
    private final LastNonDirectModel lastNonDirect = new LastNonDirectModel();
    private final LinearModel linear = new LinearModel();

    @Test
    void firstTouchGivesEverythingToTheFirstTouch() {
        assertCredits(new double[] {1, 0, 0}, first.credit(pipelineOf(3)));
        assertCredits(new double[] {1}, first.credit(pipelineOf(1)));
    }

    @Test
    void firstTouchFollowsTieBreakById() {
        Journey journey = pipeline(touch("b", 1, "email"), touch("a", 1, "web"));
        assertCredits(new double[] {1, 0}, first.credit(journey));
        assertEquals("a", journey.touch(0).id());
    }

    @Test
    void lastTouchGivesEverythingToTheLastTouch() {
        assertCredits(new double[] {0, 0, 1}, last.credit(pipelineOf(3)));
        assertCredits(new double[] {1}, last.credit(pipelineOf(1)));
    }

    @Test
    void lastNonDirectSkipsTrailingDirectTouches() {
        Journey journey = pipeline(touch("t1", 1, "email"), touch("t2", 2, "direct"), touch("t3", 3, "direct"));
        assertCredits(new double[] {1, 0, 0}, lastNonDirect.credit(journey));
    }

    @Test
    void lastNonDirectPicksTheLatestNonDirectTouch() {
        Journey journey = pipeline(touch("t1", 1, "email"), touch("t2", 2, "paid search"), touch("t3", 3, "direct"));
        assertCredits(new double[] {0, 1, 0}, lastNonDirect.credit(journey));
    }

    @Test
    void lastNonDirectGivesAllDirectPathToTheLastTouch() {
        Journey journey = pipeline(touch("t1", 1, "direct"), touch("t2", 2, "direct"));
        assertCredits(new double[] {0, 1}, lastNonDirect.credit(journey));
        assertCredits(new double[] {1}, lastNonDirect.credit(pipeline(touch("t1", 1, "direct"))));
    }

    @Test
    void lastNonDirectEqualsLastTouchWhenLastIsNotDirect() {
        Journey journey = pipeline(touch("t1", 1, "direct"), touch("t2", 2, "email"));
        assertCredits(new double[] {0, 1}, lastNonDirect.credit(journey));
    }

    @Test
    void linearSplitsEqually() {
        assertCredits(new double[] {0.25, 0.25, 0.25, 0.25}, linear.credit(pipelineOf(4)));
        assertCredits(new double[] {1}, linear.credit(pipelineOf(1)));
    }

    @Test
    void everyModelGivesNoCreditToAJourneyWithNoTouch() {
        Journey empty = pipeline();
        for (RuleBasedModel model : RuleBasedModelPropertiesTest.allModels()) {
            assertCredits(new double[0], model.credit(empty));
        }
    }
}
