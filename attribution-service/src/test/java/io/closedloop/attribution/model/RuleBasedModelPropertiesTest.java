package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.DAY;
import static io.closedloop.attribution.model.TestJourneys.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Generated journeys (seeded): credits sum to 1, are non-negative and ignore input order. */
class RuleBasedModelPropertiesTest {

    private static final String[] CHANNELS = {"direct", "email", "paid search", "organic search", "events"};
    private static final int JOURNEYS = 5_000;

    static List<RuleBasedModel> allModels() {
        return List.of(new FirstTouchModel(), new LastTouchModel(), new LastNonDirectModel(), new LinearModel(),
                new TimeDecayModel(), new TimeDecayModel(0.5), new PositionBasedModel(), new WShapedModel(),
                new FullPathModel(), new JShapedModel(), new InverseJShapedModel(),
                new CustomModel(0.1, 0.2, 0.3, 0.15, 0.25), new CustomModel(0, 0, 0, 0, 1),
                new CustomModel(0.5, 0, 0.5, 0, 0));
    }

    /** Random journey inputs: coarse times so ties are common, both bases, optional lead time. */
    private record Input(List<Touch> touches, Basis basis, long created, Long lead, Long closed, Duration lookback) {

        Journey build(List<Touch> order) {
            return Journey.builder().basis(basis).opportunityCreatedAt(created).leadCreatedAt(lead).closedAt(closed)
                    .lookback(lookback).touches(order).build();
        }
    }

    private static Input randomInput(Random random) {
        int n = random.nextInt(13);
        List<Touch> touches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long time = T0 + random.nextInt(60) * (DAY / 4); // 15 days in quarter-days: many ties
            touches.add(new Touch("id" + random.nextInt(1000) + "-" + i, time,
                    CHANNELS[random.nextInt(CHANNELS.length)], random.nextInt(5) == 0));
        }
        Basis basis = random.nextBoolean() ? Basis.PIPELINE : Basis.REVENUE;
        long created = T0 + random.nextInt(20) * DAY;
        Long lead = random.nextInt(3) == 0 ? null : T0 + random.nextInt(20) * DAY;
        Long closed = basis == Basis.REVENUE ? created + random.nextInt(10) * DAY : null;
        Duration lookback = Duration.ofDays(1 + random.nextInt(30));
        return new Input(touches, basis, created, lead, closed, lookback);
    }

    @Test
    void creditsOfEveryModelSumToOneAndAreNonNegative() {
        Random random = new Random(42);
        List<RuleBasedModel> models = allModels();
        int attributed = 0;
        for (int k = 0; k < JOURNEYS; k++) {
            Input input = randomInput(random);
            Journey journey = input.build(input.touches());
            attributed += journey.isUnattributed() ? 0 : 1;
            for (RuleBasedModel model : models) {
                double[] credit = model.credit(journey);
                assertEquals(journey.size(), credit.length, model.getClass().getSimpleName());
                for (double c : credit) {
                    assertTrue(c >= 0, model.getClass().getSimpleName() + " gave a negative credit");
                }
                if (!journey.isUnattributed()) {
                    assertEquals(1, TestJourneys.sum(credit), 1e-12, model.getClass().getSimpleName());
                }
            }
        }
        assertTrue(attributed > JOURNEYS / 2, "the generator should mostly produce attributed journeys");
    }

    @Test
    void creditsDoNotDependOnInputOrder() {
        Random random = new Random(7);
        List<RuleBasedModel> models = allModels();
        for (int k = 0; k < JOURNEYS; k++) {
            Input input = randomInput(random);
            Journey journey = input.build(input.touches());
            List<Touch> shuffled = new ArrayList<>(input.touches());
            Collections.shuffle(shuffled, random);
            Journey fromShuffled = input.build(shuffled);
            assertEquals(journey.touches(), fromShuffled.touches());
            for (RuleBasedModel model : models) {
                assertArrayEquals(model.credit(journey), model.credit(fromShuffled), model.getClass().getSimpleName());
            }
        }
    }

    @Test
    void milestonesAreOrderedAndTouchesAfterThemGetNoMilestoneCredit() {
        Random random = new Random(11);
        for (int k = 0; k < JOURNEYS; k++) {
            Journey journey = randomInput(random).build(randomInput(random).touches());
            if (journey.isUnattributed()) {
                continue;
            }
            int ft = journey.firstTouchIndex();
            int lc = journey.leadCreationIndex();
            int oc = journey.opportunityCreationIndex();
            int cw = journey.closedWonIndex();
            assertTrue(ft == 0 && ft <= lc && lc <= oc && oc <= cw && cw < journey.size());
            double[] w = new WShapedModel().credit(journey);
            for (int i = oc + 1; i < journey.size(); i++) {
                assertEquals(0, w[i], "W gives nothing after OC");
            }
            assertTrue(w[oc] >= 0.3 - 1e-12, "OC holds at least its 30%");
        }
    }
}
