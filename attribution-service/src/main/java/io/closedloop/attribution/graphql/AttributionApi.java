package io.closedloop.attribution.graphql;

import io.closedloop.attribution.model.Basis;
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

/** Journeys and credits, computed on demand (AttributionService). */
@GraphQLApi
public class AttributionApi {

    /** Names clients may pass as `model`; custom needs weights, which this API does not take yet. */
    static final String VALID_MODELS = Arrays.stream(ModelName.values()).filter(m -> m != ModelName.CUSTOM)
            .map(m -> m.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));

    private final AttributionService attribution;
    private final Caller caller;

    public AttributionApi(AttributionService attribution, Caller caller) {
        this.attribution = attribution;
        this.caller = caller;
    }

    @Query
    @Description("The journey of one opportunity: its touches in order with milestones and each touch's credit"
            + " under a rule-based model.")
    public Uni<@NonNull JourneyView> journey(
            @NonNull String opportunityId,
            @DefaultValue("linear") @Description("A rule-based model: " + "first_touch, last_touch, last_non_direct,"
                    + " linear, time_decay, u_shaped, w_shaped, full_path, j_shaped, inverse_j.") String model,
            @DefaultValue("PIPELINE") Basis basis,
            @Description("Time decay half-life in days, > 0; default: the workspace's.") Double halfLifeDays,
            @Description("1 to 3650; default: the workspace's.") Integer lookbackDays) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        ModelName name = model("journey", model);
        if (!name.isRuleBased()) {
            throw new IllegalArgumentException("journey.model: " + model + " is data-driven and learns from a population;"
                    + " ask attribution(...) for a period instead");
        }
        return attribution.journey(workspace, opportunityId, options("journey", name, basis, halfLifeDays, lookbackDays, null));
    }

    @Query
    @Description("Credits of the opportunities converting in [from, to) (created on PIPELINE; won with the close"
            + " in the period on REVENUE), grouped by a touch dimension.")
    public Uni<@NonNull AttributionReport> attribution(
            @NonNull @Description("ISO-8601 date (UTC midnight) or instant, inclusive.") String from,
            @NonNull @Description("ISO-8601 date (UTC midnight) or instant, exclusive.") String to,
            @DefaultValue("linear") @Description("Any model but custom.") String model,
            @DefaultValue("PIPELINE") Basis basis,
            @DefaultValue("CHANNEL") Dimension groupBy,
            @Description("Time decay half-life in days, > 0; default: the workspace's.") Double halfLifeDays,
            @Description("1 to 3650; default: the workspace's.") Integer lookbackDays,
            @Description("Markov chain order 1 to 4; default 1.") Integer markovOrder) {
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        Instant start = instant("attribution.from", from);
        Instant end = instant("attribution.to", to);
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("attribution.to: must be after from (" + from + "), was " + to);
        }
        ModelName name = model("attribution", model);
        return attribution.attribution(workspace, start, end, groupBy == null ? Dimension.CHANNEL : groupBy,
                options("attribution", name, basis, halfLifeDays, lookbackDays, markovOrder));
    }

    private static ModelOptions options(String operation, ModelName model, Basis basis, Double halfLifeDays,
                                        Integer lookbackDays, Integer markovOrder) {
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
        return new ModelOptions(model, basis == null ? Basis.PIPELINE : basis, halfLifeDays, lookbackDays,
                markovOrder == null ? 1 : markovOrder);
    }

    /** Accepts the names case-insensitively, with '-' or '_' ("u-shaped", "U_SHAPED"). */
    static ModelName model(String operation, String text) {
        String normalized = (text == null ? "linear" : text).trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            ModelName name = ModelName.valueOf(normalized);
            if (name != ModelName.CUSTOM) {
                return name;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the valid names
        }
        throw new IllegalArgumentException(operation + ".model: unknown model '" + text + "'; valid: " + VALID_MODELS);
    }

    private static Instant instant(String field, String text) {
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": must be an ISO-8601 date (2026-03-01) or instant"
                    + " (2026-03-01T00:00:00Z), was " + text);
        }
    }
}
