package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;

import java.util.List;

/** The journey of one opportunity; {@code touches} is empty when it is unattributed. */
public record JourneyView(String opportunityId, String accountId, String status, Basis basis, String model,
                          Double amount, String currency, String createdAt, String closedAt, boolean unattributed,
                          List<JourneyTouchView> touches, String dataAsOf) {
}
