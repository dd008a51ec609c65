package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static io.closedloop.attribution.model.TestJourneys.day;
import static io.closedloop.attribution.model.TestJourneys.pipelineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** W-shaped, full path (Z) and custom milestone weights. */
class MilestoneModelsTest {

    private final WShapedModel w = new WShapedModel();
    private final FullPathModel z = new FullPathModel();

    /** Touches on days 1..n, pipeline created on day 100, lead created on the given day. */
    private static Journey pipelineWithLead(int n, double leadDay) {
        return Journey.builder().opportunityCreatedAt(day(100)).leadCreatedAt(day(leadDay))
                .touches(List.of(TestJourneys.touchesOnDays(n))).build();
    }

    /** Touches on days 1..n, revenue basis, created and lead on the given days, closed on day 100. */
    private static Journey revenue(int n, double createdDay, double leadDay) {
        return Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(createdDay)).closedAt(day(100))
                .leadCreatedAt(day(leadDay)).touches(List.of(TestJourneys.touchesOnDays(n))).build();
    }

    @Test
    void wShapedGivesThirtyToEachMilestoneAndTenPercentToMiddleTouches() {
        Journey journey = pipelineWithLead(6, 3.5); // FT 0, LC 2, OC 5
        double m = 0.1 / 3;
        assertCredits(new double[] {0.3, m, 0.3, m, m, 0.3}, w.credit(journey));
    }

    @Test
    void wShapedGivesOneTouchEverything() {
        assertCredits(new double[] {1}, w.credit(pipelineOf(1)));
    }

    @Test
    void wShapedAddsCoincidingMilestonesAndSharesMissingMiddleProRata() {
        // FT = LC = 0, OC = 1; no middle: 0.6 + 0.3 scaled to 1.
        assertCredits(new double[] {2.0 / 3, 1.0 / 3}, w.credit(pipelineOf(2)));
        // FT = LC = 0, OC = 2, one middle touch.
        assertCredits(new double[] {0.6, 0.1, 0.3}, w.credit(pipelineOf(3)));
    }

    @Test
    void wShapedGivesNothingToTouchesAfterOpportunityCreation() {
        // Revenue basis: created day 4.5 → OC = t4; lead day 1.5 → LC = t1 = FT; t5, t6 after OC.
        assertCredits(new double[] {0.6, 0.05, 0.05, 0.3, 0, 0}, w.credit(revenue(6, 4.5, 1.5)));
    }

    @Test
    void wShapedWithoutMiddleAndTouchesAfterOcGivesThemNothing() {
        // OC = t2, FT = LC = t1: no middle touch, t3 and t4 after OC.
        assertCredits(new double[] {2.0 / 3, 1.0 / 3, 0, 0}, w.credit(revenue(4, 2.5, 1.5)));
    }

    @Test
    void fullPathGivesTwentyTwoAndAHalfToEachMilestoneAndTenToTheMiddle() {
        // Pipeline: FT 0, LC 1, OC = CW 4; middle t3, t4.
        assertCredits(new double[] {0.225, 0.225, 0.05, 0.05, 0.45}, z.credit(pipelineWithLead(5, 2.5)));
    }

    @Test
    void fullPathOnRevenueBasisCountsTouchesBetweenOcAndCwAsMiddle() {
        // FT = LC = 0, OC = 2 (created day 3.5), CW = 5 (last); middle t2, t4, t5.
        double m = 0.1 / 3;
        assertCredits(new double[] {0.45, m, 0.225, m, m, 0.225}, z.credit(revenue(6, 3.5, 1.5)));
    }

    @Test
    void fullPathWithFourDistinctMilestonesAndNoMiddleGivesAQuarterEach() {
        // FT 0, LC 1 (lead day 2), OC 2 (created day 3), CW 3.
        assertCredits(new double[] {0.25, 0.25, 0.25, 0.25}, z.credit(revenue(4, 3, 2)));
    }

    @Test
    void fullPathHandlesOneAndTwoTouches() {
        assertCredits(new double[] {1}, z.credit(pipelineOf(1)));
        assertCredits(new double[] {0.5, 0.5}, z.credit(pipelineOf(2))); // FT = LC, OC = CW
    }

    @Test
    void customWeightsFollowFullPathRules() {
        CustomModel custom = new CustomModel(0.1, 0.2, 0.3, 0.2, 0.2);
        // FT 0, LC 1, OC = CW 4 (0.3 + 0.2), middle t3, t4 get 0.1 each.
        assertCredits(new double[] {0.1, 0.2, 0.1, 0.1, 0.5}, custom.credit(pipelineWithLead(5, 2.5)));
    }

    @Test
    void customWeightsShareMissingMiddleProRataToMilestones() {
        CustomModel custom = new CustomModel(0.1, 0.2, 0.3, 0.2, 0.2);
        assertCredits(new double[] {0.125, 0.25, 0.375, 0.25}, custom.credit(revenue(4, 3, 2)));
    }

    @Test
    void customWeightsWithOnlyMiddleAndNoMiddleTouchSplitEquallyOverMilestones() {
        CustomModel middleOnly = new CustomModel(0, 0, 0, 0, 1);
        // FT = LC = t1, OC = CW = t2: four named positions, a quarter each, coinciding ones add.
        assertCredits(new double[] {0.5, 0.5}, middleOnly.credit(pipelineOf(2)));
        assertCredits(new double[] {0, 1, 0}, middleOnly.credit(pipelineOf(3)));
    }

    @Test
    void customWeightsEqualToFullPathGiveFullPathCredits() {
        CustomModel custom = new CustomModel(0.225, 0.225, 0.225, 0.225, 0.1);
        Journey journey = revenue(6, 3.5, 1.5);
        assertCredits(z.credit(journey), custom.credit(journey));
    }

    @Test
    void customWeightsSummingToOneWithinToleranceAreNormalized() {
        CustomModel custom = new CustomModel(0.25, 0.25, 0.25, 0.25, 5e-7);
        double[] credit = custom.credit(pipelineOf(3));
        assertEquals(1, TestJourneys.sum(credit), 1e-12);
    }

    @Test
    void customWeightsRejectNegativeFractionNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CustomModel(0.5, -0.1, 0.3, 0.2, 0.1));
        assertTrue(e.getMessage().contains("leadCreation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CustomModel(0.5, 0.1, 0.3, 0.1, Double.NaN));
        assertTrue(e.getMessage().contains("middle"), e.getMessage());
    }

    @Test
    void customWeightsRejectSumNotOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CustomModel(0.2, 0.2, 0.2, 0.2, 0.1));
        assertTrue(e.getMessage().contains("sum to 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CustomModel(0.25, 0.25, 0.25, 0.25, 2e-6));
    }
}
