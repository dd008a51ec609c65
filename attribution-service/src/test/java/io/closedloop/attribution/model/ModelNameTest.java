package io.closedloop.attribution.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelNameTest {

    private static final long DAY = 86_400_000L;

    private static Journey threeTouches() {
        return Journey.builder()
                .opportunityCreatedAt(10 * DAY)
                .touches(List.of(Touch.of("c", 9 * DAY, "direct"), Touch.of("a", 1 * DAY, "email"),
                        Touch.of("b", 5 * DAY, "paid search")))
                .build();
    }

    @Test
    void everyRuleBasedNameBuildsTheModelOfThatName() {
        Journey journey = threeTouches();
        CustomModel custom = new CustomModel(0.5, 0, 0, 0.5, 0);
        assertArrayEquals(new double[] {1, 0, 0}, ModelName.FIRST_TOUCH.ruleBased(7, null).credit(journey));
        assertArrayEquals(new double[] {0, 0, 1}, ModelName.LAST_TOUCH.ruleBased(7, null).credit(journey));
        assertArrayEquals(new double[] {0, 1, 0}, ModelName.LAST_NON_DIRECT.ruleBased(7, null).credit(journey));
        assertArrayEquals(new double[] {0.4, 0.2, 0.4}, ModelName.U_SHAPED.ruleBased(7, null).credit(journey), 1e-15);
        assertArrayEquals(new double[] {0.2, 0.2, 0.6}, ModelName.J_SHAPED.ruleBased(7, null).credit(journey), 1e-15);
        assertArrayEquals(new double[] {0.6, 0.2, 0.2}, ModelName.INVERSE_J.ruleBased(7, null).credit(journey), 1e-15);
        assertArrayEquals(new double[] {0.5, 0, 0.5}, ModelName.CUSTOM.ruleBased(7, custom).credit(journey), 1e-15);
        // Touches 8 and 4 days before the last one, half-life 4 days: weights 1/4, 1/2, 1 of 7/4.
        assertArrayEquals(new double[] {1.0 / 7, 2.0 / 7, 4.0 / 7},
                ModelName.TIME_DECAY.ruleBased(4, null).credit(journey), 1e-15);
        for (ModelName name : ModelName.values()) {
            if (name.isRuleBased()) {
                double[] credit = name.ruleBased(7, custom).credit(journey);
                assertEquals(1, credit[0] + credit[1] + credit[2], 1e-12, name.name());
            }
        }
    }

    @Test
    void dataDrivenAndCustomModelsAreNotMaterialized() {
        assertFalse(ModelName.MARKOV.isRuleBased());
        assertFalse(ModelName.SHAPLEY.isStandard());
        assertFalse(ModelName.CUSTOM.isStandard());
        assertTrue(ModelName.TIME_DECAY.isStandard());
        assertThrows(IllegalArgumentException.class, () -> ModelName.MARKOV.ruleBased(7, null));
        assertThrows(IllegalArgumentException.class, () -> ModelName.CUSTOM.ruleBased(7, null));
        assertThrows(IllegalArgumentException.class, () -> ModelName.TIME_DECAY.ruleBased(-1, null));
    }
}
