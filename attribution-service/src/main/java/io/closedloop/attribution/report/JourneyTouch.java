package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.TouchType;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import java.util.List;

/** One touch of an opportunity's journey, its milestones and its credit under the chosen model. */
@Description("One touch of a journey.")
public record JourneyTouch(
        @Description("The touch's id.") String touchId,
        @Description("When it happened (ISO-8601).") String occurredAt,
        @Description("Its touch type.") TouchType touchType,
        @Description("Its channel.") String channel,
        String source, String medium, String campaign, String content,
        @NonNull @Description("The milestones it is.") List<@NonNull Milestone> milestones,
        @Description("Its credit (fraction of the opportunity).") double credit,
        @NonNull @Description("Its attributed amount: credit x the opportunity's amount, rounded so that the touches' amounts add"
                + " up to the opportunity's.") Money amount) {
}
