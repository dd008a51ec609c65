package io.closedloop.attribution.graphql;

import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.JourneyView;
import io.closedloop.attribution.service.AttributionService;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Journeys and credits (AttributionService): standard models from the rollups, the others on demand. */
@GraphQLApi
public class AttributionApi {

    /** Names clients may pass as `model` (custom with `customWeights`). */
    static final String VALID_MODELS = Arrays.stream(ModelName.values())
            .map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

    private final AttributionService attribution;
    private final ReportPeriods periods;
    private final Caller caller;

    public AttributionApi(AttributionService attribution, ReportPeriods periods, Caller caller) {
        this.attribution = attribution;
        this.periods = periods;
        this.caller = caller;
    }

    @Query
    @Description("The journey of one opportunity: its touches in order with milestones and each touch's credit"
            + " under a rule-based model.")
    public Uni<@NonNull JourneyView> journey(
            @NonNull String opportunityId,
            @DefaultValue("linear") @Description("A rule-based model: " + "first_touch, last_touch, last_non_direct,"
                    + " linear, time_decay, u_shaped, w_shaped, full_path, j_shaped, inverse_j, custom.") String model,
            @DefaultValue("PIPELINE") Basis basis,
            @Description("Time decay half-life in days, > 0; default: the workspace's.") Double halfLifeDays,
            @Description("1 to 3650; default: the workspace's.") Integer lookbackDays,
            @Description("Required for model custom, refused otherwise.") CustomWeights customWeights,
            @Description("ACCOUNT (every person of the account) or CONTACT_ROLES (only the opportunity's contact roles);"
                    + " default: the workspace's. CONTACT_ROLES is computed on demand (the rollups hold ACCOUNT journeys).")
            JourneyScope journeyScope) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        ModelName name = model("journey", model);
        if (!name.isRuleBased()) {
            throw new IllegalArgumentException("journey.model: " + model + " is data-driven and learns from a population;"
                    + " ask attribution(...) for a period instead");
        }
        return attribution.journey(workspace, opportunityId,
                options("journey", name, basis, halfLifeDays, lookbackDays, null, customWeights).withScope(journeyScope));
    }

    @Query
    @Description("Credits of the opportunities converting in [from, to) (created on PIPELINE; won with the close"
            + " in the period on REVENUE), grouped by a touch dimension.")
    public Uni<@NonNull AttributionReport> attribution(
            @NonNull @Description("ISO-8601 date (UTC midnight) or instant, inclusive.") String from,
            @NonNull @Description("ISO-8601 date (UTC midnight) or instant, exclusive.") String to,
            @DefaultValue("linear") @Description("Any model; custom needs customWeights. The standard models (rule-based"
                    + " but custom, with the workspace's half-life and lookback, over whole UTC days) are read from the"
                    + " rollups; the others are computed on demand.") String model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("Time decay half-life in days, > 0; default: the workspace's.") Double halfLifeDays,
            @Description("1 to 3650; default: the workspace's.") Integer lookbackDays,
            @Description("Markov chain order 1 to 4; default 1.") Integer markovOrder,
            @Description("Required for model custom, refused otherwise.") CustomWeights customWeights,
            @Description("ACCOUNT (every person of the account) or CONTACT_ROLES (only the opportunity's contact roles);"
                    + " default: the workspace's. CONTACT_ROLES is computed on demand (the rollups hold ACCOUNT journeys).")
            JourneyScope journeyScope) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant[] period = periods.of("attribution", from, to);
        ModelName name = model("attribution", model);
        return attribution.attribution(workspace, period[0], period[1], groupBy == null ? Dimension.CHANNEL : groupBy,
                options("attribution", name, basis, halfLifeDays, lookbackDays, markovOrder, customWeights).withScope(journeyScope));
    }

    static ModelOptions options(String operation, ModelName model, Basis basis, Double halfLifeDays,
                                        Integer lookbackDays, Integer markovOrder, CustomWeights weights) {
        if (halfLifeDays != null && !(halfLifeDays > 0 && Double.isFinite(halfLifeDays))) {
            throw new IllegalArgumentException(operation + ".halfLifeDays: must be > 0, was " + halfLifeDays);
        }
        if (lookbackDays != null && (lookbackDays < 1 || lookbackDays > 3650)) {
            throw new IllegalArgumentException(operation + ".lookbackDays: must be 1 to 3650, was " + lookbackDays);
        }
        if (markovOrder != null && (markovOrder < 1 || markovOrder > MarkovChainModel.MAX_ORDER)) {
            throw new IllegalArgumentException(operation + ".markovOrder: must be 1 to " + MarkovChainModel.MAX_ORDER
                    + ", was " + markovOrder);
        }
        CustomModel custom = null;
        if (model == ModelName.CUSTOM) {
            if (weights == null) {
                throw new IllegalArgumentException(operation + ".customWeights: required for the custom model"
                        + " (firstTouch, leadCreation, opportunityCreation, closedWon, middle summing to 1)");
            }
            try {
                custom = new CustomModel(weights.firstTouch, weights.leadCreation, weights.opportunityCreation,
                        weights.closedWon, weights.middle);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(operation + ".customWeights: " + e.getMessage());
            }
        } else if (weights != null) {
            throw new IllegalArgumentException(operation + ".customWeights: only for the custom model, not " + model.name()
                    .toLowerCase(Locale.ROOT));
        }
        return new ModelOptions(model, basis == null ? Basis.PIPELINE : basis, halfLifeDays, lookbackDays,
                markovOrder == null ? 1 : markovOrder, custom);
    }

    /** Accepts the names case-insensitively, with '-' or '_' ("u-shaped", "U_SHAPED"). */
    static ModelName model(String operation, String text) {
        String normalized = (text == null ? "linear" : text).trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return ModelName.valueOf(normalized);
        } catch (IllegalArgumentException e) {
            // reported below with the valid names
        }
        throw new IllegalArgumentException(operation + ".model: unknown model '" + text + "'; valid: " + VALID_MODELS);
    }
}
