package io.closedloop.attribution.report;

import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.ModelName;
import org.eclipse.microprofile.graphql.Description;

import java.util.List;

/** Credits over a period, grouped; rows by credit descending, then key. */
public record AttributionReport(String from, String to, Basis basis, ModelName model, Dimension groupBy,
                                List<AttributionRow> rows, int attributedOpportunities, int unattributedOpportunities,
                                @Description("Their pipeline or won amount: with the rows' amounts, the scope's whole amount.")
                                double unattributedAmount, String dataAsOf,
                                @Description("MARKOV and SHAPLEY: where the credit comes from; null for the rule-based models.")
                                ReportViews.ModelExplanation explanation) {
}
