package io.closedloop.attribution.report;

/** One touch of an opportunity's journey, its milestones and its credit under the chosen model. */
public record JourneyTouchView(String id, String occurredAt, String type, String channel, String source, String medium,
                               String campaign, String content, boolean firstTouch, boolean leadCreation,
                               boolean opportunityCreation, boolean closedWon, double credit, double amount) {
}
