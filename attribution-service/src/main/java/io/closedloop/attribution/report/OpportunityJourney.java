package io.closedloop.attribution.report;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.OpportunityStatus;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import java.util.List;

/** The journey of one opportunity; {@code touches} is empty when it is unattributed. */
@Description("An opportunity's journey and each touch's credit under one model.")
public record OpportunityJourney(
        @NonNull @Description("The opportunity.") String opportunityId,
        @Description("Its account.") String accountId,
        @Description("OPEN, WON or LOST.") OpportunityStatus status,
        @NonNull @Description("PIPELINE or REVENUE.") Basis basis,
        @NonNull @Description("The model.") ModelName model,
        @Description("The opportunity's pipeline or won amount.") Money amount,
        @Description("The amount's currency (ISO 4217).") String currency,
        @Description("When it was created, ISO-8601.") String createdAt,
        @Description("When it closed, ISO-8601.") String closedAt,
        @Description("True when no touch falls in its lookback window: nothing is credited.") boolean unattributed,
        @NonNull @Description("Touches in time order.") List<@NonNull JourneyTouch> touches,
        @Description("Time of the newest data the credit was computed from.") String dataAsOf) {
}
