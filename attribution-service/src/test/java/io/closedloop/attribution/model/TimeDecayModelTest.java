package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.assertCredits;
import static io.closedloop.attribution.model.TestJourneys.day;
import static io.closedloop.attribution.model.TestJourneys.touch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeDecayModelTest {

    private static Journey createdOnDay(double createdDay, Touch... touches) {
        return Journey.builder().opportunityCreatedAt(day(createdDay)).touches(List.of(touches)).build();
    }

    @Test
    void timeDecayHalvesWeightEveryHalfLife() {
        // Δ = 14, 7, 0 days with h = 7: weights 1/4, 1/2, 1; total 7/4.
        Journey journey = createdOnDay(20, touch("a", 6, "email"), touch("b", 13, "web"), touch("c", 20, "ads"));
        assertCredits(new double[] {1.0 / 7, 2.0 / 7, 4.0 / 7}, new TimeDecayModel().credit(journey));
    }

    @Test
    void timeDecayUsesFractionalDays() {
        // Δ = 1.5 and 1 day with h = 1: weights 2^-1.5 and 2^-1.
        Journey journey = createdOnDay(10, touch("a", 8.5, "email"), touch("b", 9, "web"));
        double a = Math.pow(2, -1.5);
        double b = 0.5;
        assertCredits(new double[] {a / (a + b), b / (a + b)}, new TimeDecayModel(1).credit(journey));
    }

    @Test
    void timeDecayMeasuresFromCloseOnRevenueBasis() {
        // Conversion point day 30 (close): Δ = 28 and 14 days with h = 14 → weights 1/4, 1/2.
        Journey journey = Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(10)).closedAt(day(30))
                .touches(List.of(touch("a", 2, "email"), touch("b", 16, "web"))).build();
        assertCredits(new double[] {1.0 / 3, 2.0 / 3}, new TimeDecayModel(14).credit(journey));
    }

    @Test
    void timeDecayGivesOneTouchEverything() {
        assertCredits(new double[] {1}, new TimeDecayModel().credit(createdOnDay(300, touch("a", 1, "email"))));
    }

    @Test
    void timeDecayDoesNotUnderflowWithTinyHalfLife() {
        // 2^(−299/0.001) underflows to 0 for both touches if measured from the conversion point.
        Journey journey = createdOnDay(300, touch("a", 0.5, "email"), touch("b", 1, "web"));
        double[] credit = new TimeDecayModel(0.001).credit(journey);
        assertCredits(new double[] {0, 1}, credit);
        assertEquals(1, TestJourneys.sum(credit), 1e-12);
    }

    @Test
    void timeDecayGivesTiedTouchesEqualCredit() {
        Journey journey = createdOnDay(5, touch("a", 1, "email"), touch("b", 1, "web"));
        assertCredits(new double[] {0.5, 0.5}, new TimeDecayModel().credit(journey));
    }

    @Test
    void timeDecayRejectsHalfLifeThatIsNotPositive() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TimeDecayModel(bad));
            assertTrue(e.getMessage().contains("halfLifeDays"));
        }
    }
}
