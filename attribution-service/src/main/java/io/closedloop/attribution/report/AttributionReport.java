package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;

import java.util.List;

/** Credits over a period, grouped; rows by credit descending, then key. */
public record AttributionReport(String from, String to, Basis basis, String model, Dimension groupBy,
                                List<AttributionRow> rows, int attributedOpportunities, int unattributedOpportunities,
                                String dataAsOf) {
}
