package io.closedloop.attribution.graphql;

import io.closedloop.attribution.graphql.ReportInputs.ModelInput;
import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.OpportunityJourney;
import io.closedloop.attribution.service.AttributionService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.time.Instant;

/** Journeys and credits (AttributionService): standard models from the rollups, the others on demand. */
@GraphQLApi
public class AttributionApi {

    private final AttributionService attribution;
    private final ReportPeriods periods;
    private final Caller caller;

    public AttributionApi(AttributionService attribution, ReportPeriods periods, Caller caller) {
        this.attribution = attribution;
        this.periods = periods;
        this.caller = caller;
    }

    @Query
    @Description("One opportunity's journey with milestones and each touch's credit under a rule-based model (DESIGN §5"
            + " 'Opportunity view').")
    public Uni<@NonNull OpportunityJourney> opportunityJourney(
            @NonNull @Description("The opportunity's id.") String opportunityId,
            @NonNull @Description("The attribution model and its parameters: a rule-based one (MARKOV and SHAPLEY learn from"
                    + " a period's population; ask performance).") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis) {
        String op = "opportunityJourney";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        if (opportunityId.isBlank() || opportunityId.length() > 200) {
            throw ReportInputs.bad(op, "opportunityId", opportunityId.isBlank() ? "is required" : "is longer than 200 characters");
        }
        return attribution.journey(workspace, opportunityId, ReportInputs.journeyOptions(op, model, basis));
    }

    @Query
    @Description("Credits of the opportunities converting in the period (created on PIPELINE; won with the close in the"
            + " period on REVENUE), grouped by a touch dimension. The standard models (rule-based but CUSTOM, with the"
            + " workspace's half-life and lookback) are read from the rollups; the others are computed on demand.")
    public Uni<@NonNull AttributionReport> attribution(
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy) {
        String op = "attribution";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] range = periods.of(op, period);
        return attribution.attribution(workspace, range[0], range[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                ReportInputs.options(op, "model", model, basis));
    }
}
