package io.closedloop.attribution.model;

import static io.closedloop.attribution.model.TestJourneys.DAY;
import static io.closedloop.attribution.model.TestJourneys.day;
import static io.closedloop.attribution.model.TestJourneys.formFill;
import static io.closedloop.attribution.model.TestJourneys.touch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JourneyTest {

    private static List<String> ids(Journey journey) {
        return journey.touches().stream().map(Touch::id).toList();
    }

    private static void assertMilestones(Journey journey, int ft, int lc, int oc, int cw) {
        assertEquals(List.of(ft, lc, oc, cw), List.of(journey.firstTouchIndex(), journey.leadCreationIndex(),
                journey.opportunityCreationIndex(), journey.closedWonIndex()), "FT, LC, OC, CW");
    }

    @Test
    void touchesAreSortedByTime() {
        Journey journey = TestJourneys.pipeline(touch("c", 3, "email"), touch("a", 1, "email"), touch("b", 2, "email"));
        assertEquals(List.of("a", "b", "c"), ids(journey));
    }

    @Test
    void tiesInTimeAreBrokenById() {
        Journey journey = TestJourneys.pipeline(touch("b", 1, "email"), touch("c", 1, "email"), touch("a", 1, "email"));
        assertEquals(List.of("a", "b", "c"), ids(journey));
    }

    @Test
    void tieBreakComparesIdsByCodePointNotUtf16Unit() {
        String privateUse = "\uFFFF";             // U+FFFF
        String emoji = new String(Character.toChars(0x1F600)); // U+1F600, UTF-16 starts with 0xD83D
        Journey journey = TestJourneys.pipeline(touch(emoji, 1, "email"), touch(privateUse, 1, "email"));
        assertEquals(List.of(privateUse, emoji), ids(journey));
        assertTrue(Journey.compareByCodePoint("a", "ab") < 0);
        assertEquals(0, Journey.compareByCodePoint("ab", "ab"));
    }

    @Test
    void windowKeepsTouchesFromCreationMinusLookbackToConversionInclusive() {
        long created = day(400);
        Journey journey = Journey.builder().opportunityCreatedAt(created).touches(List.of(
                Touch.of("too-early", created - 365 * DAY - 1, "email"),
                Touch.of("first-day", created - 365 * DAY, "email"),
                Touch.of("at-creation", created, "email"),
                Touch.of("after-creation", created + 1, "email"))).build();
        assertEquals(List.of("first-day", "at-creation"), ids(journey));
    }

    @Test
    void revenueWindowRunsFromCreationMinusLookbackToClose() {
        Journey journey = Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(50)).closedAt(day(80))
                .lookback(Duration.ofDays(30)).touches(List.of(
                        touch("before-lookback", 19.9, "email"), touch("lookback-start", 20, "email"),
                        touch("between", 60, "email"), touch("at-close", 80, "email"),
                        touch("after-close", 80.1, "email"))).build();
        assertEquals(List.of("lookback-start", "between", "at-close"), ids(journey));
        assertEquals(day(80), journey.conversionPoint());
    }

    @Test
    void journeyWithNoTouchInWindowIsUnattributed() {
        Journey journey = Journey.builder().opportunityCreatedAt(day(500)).touch(touch("old", 1, "email")).build();
        assertTrue(journey.isUnattributed());
        assertMilestones(journey, -1, -1, -1, -1);
        assertFalse(TestJourneys.pipelineOf(1).isUnattributed());
    }

    @Test
    void leadCreationIsLastTouchAtOrBeforeLeadCreationTime() {
        Journey journey = Journey.builder().opportunityCreatedAt(day(100)).leadCreatedAt(day(3))
                .touches(List.of(TestJourneys.touchesOnDays(5))).build();
        assertMilestones(journey, 0, 2, 4, 4);
    }

    @Test
    void leadCreationFallsBackToFirstFormFillWhenLeadTimeIsUnknown() {
        Journey journey = TestJourneys.pipeline(touch("t1", 1, "email"), touch("t2", 2, "web"),
                formFill("t3", 3, "web"), formFill("t4", 4, "web"), touch("t5", 5, "email"));
        assertMilestones(journey, 0, 2, 4, 4);
    }

    @Test
    void leadCreationFallsBackToFirstFormFillWhenNoTouchPrecedesLeadTime() {
        Journey journey = Journey.builder().opportunityCreatedAt(day(100)).leadCreatedAt(day(0.5))
                .touches(List.of(touch("t1", 1, "email"), formFill("t2", 2, "web"), touch("t3", 3, "email"))).build();
        assertMilestones(journey, 0, 1, 2, 2);
    }

    @Test
    void leadCreationFallsBackToFirstTouchWithoutFormFill() {
        Journey journey = Journey.builder().opportunityCreatedAt(day(100)).leadCreatedAt(day(0.5))
                .touches(List.of(TestJourneys.touchesOnDays(3))).build();
        assertMilestones(journey, 0, 0, 2, 2);
    }

    @Test
    void leadCreationAfterOpportunityCreationMovesToOpportunityCreation() {
        Journey journey = Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(3)).closedAt(day(10))
                .leadCreatedAt(day(4.5)).touches(List.of(touch("t1", 1, "email"), touch("t2", 2, "email"),
                        touch("t4", 4, "email"), touch("t5", 5, "email"))).build();
        assertMilestones(journey, 0, 1, 1, 3);
    }

    @Test
    void opportunityCreationFallsBackToLeadCreationWhenNoTouchPrecedesCreation() {
        Journey journey = Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(0)).closedAt(day(10))
                .touches(List.of(touch("t1", 1, "email"), formFill("t2", 2, "web"), touch("t3", 3, "email"))).build();
        assertMilestones(journey, 0, 1, 1, 2);
    }

    @Test
    void closedWonIsLastTouchOnRevenueBasisAndOpportunityCreationOnPipeline() {
        Journey revenue = Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(2.5)).closedAt(day(10))
                .touches(List.of(TestJourneys.touchesOnDays(4))).build();
        assertMilestones(revenue, 0, 0, 1, 3);
        Journey pipeline = Journey.builder().opportunityCreatedAt(day(2.5)).closedAt(day(10))
                .touches(List.of(TestJourneys.touchesOnDays(4))).build();
        assertEquals(List.of("t1", "t2"), ids(pipeline));
        assertMilestones(pipeline, 0, 0, 1, 1);
    }

    @Test
    void singleTouchHoldsEveryMilestone() {
        assertMilestones(TestJourneys.pipelineOf(1), 0, 0, 0, 0);
    }

    @Test
    void invalidJourneysAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Journey.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> Journey.builder().basis(Basis.REVENUE).opportunityCreatedAt(day(1)).build());
        assertThrows(IllegalArgumentException.class, () -> Journey.builder().lookback(Duration.ofDays(-1)));
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> TestJourneys.pipeline(touch("x", 1, "email"), touch("x", 2, "web")));
        assertTrue(duplicate.getMessage().contains("x"));
    }
}
