package io.closedloop.attribution.service;

import io.closedloop.attribution.AttributionSettings;
import io.closedloop.attribution.JourneyScope;
import io.closedloop.attribution.OpportunityStatus;
import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.CustomModel;
import io.closedloop.attribution.model.DataDrivenCredits;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.MarkovChainModel;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.model.PathPopulation;
import io.closedloop.attribution.model.RuleBasedModel;
import io.closedloop.attribution.model.ShapleyModel;
import io.closedloop.attribution.model.Touch;
import io.closedloop.attribution.report.AttributionReport;
import io.closedloop.attribution.report.AttributionRow;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.JourneyTouch;
import io.closedloop.attribution.report.Money;
import io.closedloop.attribution.report.Milestone;
import io.closedloop.attribution.report.ModelExplanations;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import io.closedloop.attribution.report.OpportunityJourney;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.repository.JourneyRepository.Opportunity;
import io.closedloop.attribution.repository.JourneyRepository.TouchRow;
import io.closedloop.attribution.rollup.RollupReports;
import io.closedloop.attribution.rollup.RollupState;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Journeys and credits: reports of the standard models from the rollups (RollupReports), the
 * rest computed on demand from the journey tables (each call loads the workspace's rows of the
 * period and runs the models of DESIGN §4).
 */
@ApplicationScoped
public class AttributionService {

    private static final Comparator<TouchRow> TOUCH_ORDER = Comparator.comparing(TouchRow::occurredAt)
            .thenComparing(TouchRow::id, Journey::compareByCodePoint);

    /**
     * The model and its parameters, already validated by the API. Null parameters (half-life,
     * lookback, scope) take the workspace's settings.
     */
    public record ModelOptions(ModelName model, Basis basis, Double halfLifeDays, Integer lookbackDays, int markovOrder,
                               CustomModel custom, JourneyScope scope) {

        public ModelOptions(ModelName model, Basis basis, Double halfLifeDays, Integer lookbackDays, int markovOrder,
                            CustomModel custom) {
            this(model, basis, halfLifeDays, lookbackDays, markovOrder, custom, null);
        }

        public ModelOptions withBasis(Basis other) {
            return new ModelOptions(model, other, halfLifeDays, lookbackDays, markovOrder, custom, scope);
        }

        public ModelOptions withScope(JourneyScope other) {
            return new ModelOptions(model, basis, halfLifeDays, lookbackDays, markovOrder, custom, other);
        }
    }

    private final JourneyRepository journeys;
    private final AttributionSettingsService settings;
    private final RollupReports rollups;
    private final OnDemandWork onDemand;

    public AttributionService(JourneyRepository journeys, AttributionSettingsService settings, RollupReports rollups,
                              OnDemandWork onDemand) {
        this.journeys = journeys;
        this.settings = settings;
        this.rollups = rollups;
        this.onDemand = onDemand;
    }

    /** The journey of one opportunity with milestones and each touch's credit (rule-based models). */
    public Uni<OpportunityJourney> journey(String workspace, String opportunityId, ModelOptions options) {
        String dataAsOf = Instant.now().toString();
        return settings.get(workspace).chain(s -> journeys.opportunity(workspace, opportunityId).chain(opp -> {
            if (opp == null) {
                throw new IllegalArgumentException("opportunityJourney.opportunityId: no opportunity '" + opportunityId
                        + "' in this workspace");
            }
            if (options.basis() == Basis.REVENUE && !"WON".equals(opp.status())) {
                throw new IllegalArgumentException("opportunityJourney.basis: the revenue basis needs a won opportunity; '"
                        + opportunityId + "' is " + opp.status());
            }
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            Instant conversion = options.basis() == Basis.PIPELINE ? opp.createdAt() : opp.closedAt();
            Instant start = opp.createdAt().minus(lookback);
            JourneyScope scope = scope(options, s);
            Uni<Map<String, List<TouchRow>>> touches = scope == JourneyScope.CONTACT_ROLES
                    ? journeys.touchesOfPersons(workspace, start, conversion, opp.rolePersons())
                    : opp.accountId() == null ? Uni.createFrom().item(Map.of())
                    : journeys.touchesByAccount(workspace, start, conversion, opp.accountId());
            return touches.map(byAccount -> {
                List<TouchRow> rows = new JourneyTouches(byAccount, scope).of(opp);
                Journey journey = journey(opp, rows, options.basis(), lookback);
                double[] credit = options.model().ruleBased(halfLife(options, s), options.custom()).credit(journey);
                Map<String, TouchRow> byId = byId(rows);
                int digits = Money.digits(opp.currency());
                double[] shares = new double[journey.size()];
                for (int i = 0; i < shares.length; i++) {
                    shares[i] = credit[i] * amount(opp);
                }
                // The touches' amounts add up to the opportunity's exactly (nothing when unattributed).
                Money whole = Money.of(opp.amount() == null ? BigDecimal.ZERO : opp.amount(), digits);
                List<Money> amounts = Money.apportion(shares, journey.size() == 0 ? Money.of(BigDecimal.ZERO, digits) : whole);
                List<JourneyTouch> views = new ArrayList<>();
                for (int i = 0; i < journey.size(); i++) {
                    TouchRow t = byId.get(journey.touch(i).id());
                    List<Milestone> milestones = new ArrayList<>(4);
                    if (i == journey.firstTouchIndex()) {
                        milestones.add(Milestone.FT);
                    }
                    if (i == journey.leadCreationIndex()) {
                        milestones.add(Milestone.LC);
                    }
                    if (i == journey.opportunityCreationIndex()) {
                        milestones.add(Milestone.OC);
                    }
                    if (options.basis() == Basis.REVENUE && i == journey.closedWonIndex()) {
                        milestones.add(Milestone.CW);
                    }
                    views.add(new JourneyTouch(t.id(), t.occurredAt().toString(), TouchType.of(t.type()), t.channel(), t.source(),
                            t.medium(), t.campaign(), t.content(), milestones, credit[i], amounts.get(i)));
                }
                return new OpportunityJourney(opp.id(), opp.accountId(), OpportunityStatus.of(opp.status()), options.basis(),
                        options.model(), opp.amount() == null ? null : Money.of(opp.amount(), digits),
                        opp.currency(), opp.createdAt().toString(), opp.closedAt() == null ? null : opp.closedAt().toString(),
                        journey.isUnattributed(), views, dataAsOf);
            });
        }));
    }

    /**
     * Credits of the opportunities converting in [from, to) (created, on the pipeline basis; won
     * with the close in the period, on the revenue basis), grouped by a touch dimension: from the
     * rollups when they answer the query (RollupReports.answers), else computed on demand.
     */
    public Uni<AttributionReport> attribution(String workspace, Instant from, Instant to, Dimension groupBy,
                                              ModelOptions options) {
        return answeringRollups(workspace, from, to, options).chain(state -> state != null
                ? rollups.report(workspace, state, from, to, groupBy, options.model(), options.custom(), options.basis())
                : attributionOnDemand(workspace, from, to, groupBy, options));
    }

    /**
     * The rollup state when the rollups answer this query exactly (RollupReports.answers: standard
     * model or custom weights all &gt; 0, account journeys, whole days, the generation's parameters,
     * ready), else null.
     */
    public Uni<RollupState> answeringRollups(String workspace, Instant from, Instant to, ModelOptions options) {
        return settings.get(workspace).chain(s -> rollups.state(workspace).map(state ->
                scope(options, s) == JourneyScope.ACCOUNT
                        && RollupReports.answers(state, options.model(), options.custom(), from, to, lookbackDays(options, s),
                                halfLife(options, s))
                        ? state : null));
    }

    /**
     * Whether the user chose work the rollups never answer (a data-driven or custom model, other parameters, contact-role
     * journeys): charged to the workspace's on-demand share. A standard question computed on demand because the rollups
     * are being rebuilt (a catch-up, a migration) is not the workspace's doing, and is not charged.
     */
    private static boolean chosen(ModelOptions options, JourneyScope scope) {
        return !options.model().isStandard() || scope == JourneyScope.CONTACT_ROLES || options.lookbackDays() != null
                || options.halfLifeDays() != null;
    }

    /** {@link #attribution} computed from the journey tables, whatever the rollups hold. */
    public Uni<AttributionReport> attributionOnDemand(String workspace, Instant from, Instant to, Dimension groupBy,
                                                      ModelOptions options) {
        String dataAsOf = Instant.now().toString();
        return settings.get(workspace).chain(s -> {
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            Uni<List<Opportunity>> inScope = options.basis() == Basis.PIPELINE
                    ? journeys.createdIn(workspace, from, to) : journeys.closedIn(workspace, from, to);
            return inScope.chain(opportunities -> {
                Instant lower = from;
                for (Opportunity o : opportunities) {
                    Instant start = o.createdAt().minus(lookback);
                    lower = start.isBefore(lower) ? start : lower;
                }
                // Conversion points lie before `to`, so [lower, to] holds every touch any journey needs.
                Instant earliest = lower;
                return onDemand.run(workspace, chosen(options, scope(options, s)),
                        () -> journeys.touchesByAccount(workspace, earliest, to, null), byAccount -> report(
                        opportunities, new JourneyTouches(byAccount, scope(options, s)), from, to, groupBy, options, lookback,
                        halfLife(options, s), dataAsOf));
            });
        });
    }

    private AttributionReport report(List<Opportunity> opportunities, JourneyTouches touches,
                                     Instant from, Instant to, Dimension groupBy, ModelOptions options,
                                     Duration lookback, double halfLife, String dataAsOf) {
        Converting converting = converting(opportunities, touches, options.basis(), lookback);
        List<Journey> convertingJourneys = converting.journeys();
        DataDriven fitted = options.model().isRuleBased() ? null
                : dataDriven(convertingJourneys, opportunities, touches, from, to, options, lookback, true);
        List<double[]> credits = fitted == null
                ? ruleBased(convertingJourneys, options.model().ruleBased(halfLife, options.custom()))
                : fitted.credits();

        Map<String, double[]> sums = new TreeMap<>(Journey::compareByCodePoint);
        Map<String, Set<String>> opportunitiesOf = new HashMap<>();
        for (int k = 0; k < convertingJourneys.size(); k++) {
            Opportunity o = converting.opportunities().get(k);
            Journey j = convertingJourneys.get(k);
            Map<String, TouchRow> byId = converting.touchesById().get(k);
            double[] credit = credits.get(k);
            for (int i = 0; i < j.size(); i++) {
                String key = byId.get(j.touch(i).id()).key(groupBy);
                double[] sum = sums.computeIfAbsent(key, x -> new double[2]);
                sum[0] += credit[i];
                sum[1] += credit[i] * amount(o);
                if (credit[i] > 0) {
                    opportunitiesOf.computeIfAbsent(key, x -> new HashSet<>()).add(o.id());
                }
            }
        }
        List<AttributionRow> rows = new ArrayList<>();
        sums.forEach((key, sum) -> rows.add(new AttributionRow(key, sum[0], sum[1],
                opportunitiesOf.getOrDefault(key, Set.of()).size())));
        rows.sort(Comparator.comparingDouble(AttributionRow::credit).reversed());
        return new AttributionReport(from.toString(), to.toString(), options.basis(), options.model(),
                groupBy, rows, convertingJourneys.size(), converting.unattributed(), converting.unattributedAmount(), dataAsOf,
                fitted == null ? null : fitted.explanation());
    }

    /** The opportunities converting on {@code basis} that have a journey, with it and its touches by id, in order. */
    private record Converting(List<Opportunity> opportunities, List<Journey> journeys, List<Map<String, TouchRow>> touchesById,
                              int unattributed, double unattributedAmount) {
    }

    /** One pass over the opportunities: each one's touches are gathered once (a CONTACT_ROLES union is not free). */
    private static Converting converting(List<Opportunity> opportunities, JourneyTouches touches, Basis basis, Duration lookback) {
        List<Opportunity> converting = new ArrayList<>();
        List<Journey> journeys = new ArrayList<>();
        List<Map<String, TouchRow>> touchesById = new ArrayList<>();
        int unattributed = 0;
        double unattributedAmount = 0;
        for (Opportunity o : opportunities) {
            if (basis == Basis.REVENUE && !"WON".equals(o.status())) {
                continue;
            }
            List<TouchRow> rows = touches.of(o);
            Journey j = journey(o, rows, basis, lookback);
            if (j.isUnattributed()) {
                unattributed++;
                unattributedAmount += amount(o);
            } else {
                converting.add(o);
                journeys.add(j);
                touchesById.add(byId(rows));
            }
        }
        return new Converting(converting, journeys, touchesById, unattributed, unattributedAmount);
    }

    private static List<double[]> ruleBased(List<Journey> journeys, RuleBasedModel rule) {
        List<double[]> credits = new ArrayList<>(journeys.size());
        for (Journey j : journeys) {
            credits.add(rule.credit(j));
        }
        return credits;
    }

    /**
     * DESIGN §4 "Population": the converting journeys, plus one non-converting journey per
     * opportunity lost in the period (revenue basis) and the paths outside every journey in scope
     * (JourneyTouches.outside: per account, its touches in the period). Decision: an account with a
     * lost opportunity in scope is represented by that opportunity's journey only, not a second time.
     */
    /** A data-driven model's credits of the converting journeys, in their order, and where they come from. */
    private record DataDriven(List<double[]> credits, ModelExplanation explanation) {
    }

    /** @param explain whether to build the explanation too (a report shows it; the per-deal credits need none) */
    private static DataDriven dataDriven(List<Journey> converting, List<Opportunity> opportunities,
                                         JourneyTouches touches, Instant from, Instant to,
                                         ModelOptions options, Duration lookback, boolean explain) {
        PathPopulation.Builder population = PathPopulation.builder();
        for (Journey j : converting) {
            population.add(true, channels(j));
        }
        for (Opportunity o : opportunities) {
            if (options.basis() == Basis.REVENUE && "LOST".equals(o.status())) {
                Journey lost = journey(o, touches.of(o), Basis.REVENUE, lookback);
                if (!lost.isUnattributed()) {
                    population.add(false, channels(lost));
                }
            }
        }
        for (List<TouchRow> outside : touches.outside(opportunities, from, to)) {
            population.add(false, outside.stream().sorted(TOUCH_ORDER).map(TouchRow::channel).toList());
        }
        PathPopulation built = population.build();
        DataDrivenCredits fitted;
        ModelExplanation explanation;
        if (options.model() == ModelName.MARKOV) {
            MarkovChainModel.Result markov = new MarkovChainModel(options.markovOrder()).fit(built);
            fitted = markov.credits();
            explanation = explain ? ModelExplanations.markov(built, markov) : null;
        } else {
            if (explain) {
                ShapleyModel.Explained shapley = new ShapleyModel().explained(built);
                fitted = shapley.credits();
                explanation = ModelExplanations.shapley(built, shapley.credits(), shapley.coalitions());
            } else {
                fitted = new ShapleyModel().fit(built);
                explanation = null;
            }
        }
        List<double[]> credits = new ArrayList<>(converting.size());
        for (int k = 0; k < converting.size(); k++) {
            credits.add(fitted.credit(k));
        }
        return new DataDriven(credits, explanation);
    }

    private static Journey journey(Opportunity o, List<TouchRow> rows, Basis basis, Duration lookback) {
        Journey.Builder b = Journey.builder().basis(basis).opportunityCreatedAt(o.createdAt().toEpochMilli())
                .leadCreatedAt(o.leadCreatedAt() == null ? null : o.leadCreatedAt().toEpochMilli())
                .closedAt(o.closedAt() == null ? null : o.closedAt().toEpochMilli())
                .lookback(lookback);
        for (TouchRow t : rows) {
            b.touch(new Touch(t.id(), t.occurredAt().toEpochMilli(), t.channel(), "FORM_FILL".equals(t.type())));
        }
        return b.build();
    }

    private static List<String> channels(Journey j) {
        List<String> channels = new ArrayList<>(j.size());
        for (int i = 0; i < j.size(); i++) {
            channels.add(j.touch(i).channel());
        }
        return channels;
    }

    private static JourneyScope scope(ModelOptions options, AttributionSettings s) {
        return options.scope() != null ? options.scope() : s.journeyScope;
    }

    private static Map<String, TouchRow> byId(List<TouchRow> rows) {
        Map<String, TouchRow> byId = new HashMap<>();
        for (TouchRow t : rows) {
            byId.put(t.id(), t);
        }
        return byId;
    }

    private static double amount(Opportunity o) {
        return o.amount() == null ? 0 : o.amount().doubleValue();
    }

    private static int lookbackDays(ModelOptions options, AttributionSettings s) {
        return options.lookbackDays() != null ? options.lookbackDays() : s.lookbackDays;
    }

    private static double halfLife(ModelOptions options, AttributionSettings s) {
        return options.halfLifeDays() != null ? options.halfLifeDays() : s.halfLifeDays;
    }

    /** One converting opportunity's credit per group key, for reports that need more than sums (report/). */
    public record OpportunityCredit(Opportunity opportunity, Journey journey, Map<String, Double> creditByKey,
                                    Map<String, Integer> touchesByKey) {
    }

    /**
     * Per-opportunity credits of the opportunities converting in [from, to) with a journey, computed
     * on demand exactly as {@link #attributionOnDemand} does (so their sums are its rows).
     */
    public Uni<List<OpportunityCredit>> opportunityCredits(String workspace, Instant from, Instant to, Dimension groupBy,
                                                           ModelOptions options) {
        return settings.get(workspace).chain(s -> {
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            JourneyScope scope = scope(options, s);
            Uni<List<Opportunity>> inScope = options.basis() == Basis.PIPELINE
                    ? journeys.createdIn(workspace, from, to) : journeys.closedIn(workspace, from, to);
            return inScope.chain(opportunities -> {
                Instant lower = from;
                for (Opportunity o : opportunities) {
                    Instant start = o.createdAt().minus(lookback);
                    lower = start.isBefore(lower) ? start : lower;
                }
                Instant earliest = lower;
                return onDemand.run(workspace, chosen(options, scope(options, s)),
                        () -> journeys.touchesByAccount(workspace, earliest, to, null), byAccount -> {
                    JourneyTouches touches = new JourneyTouches(byAccount, scope);
                    Converting converting = converting(opportunities, touches, options.basis(), lookback);
                    List<Journey> convertingJourneys = converting.journeys();
                    List<double[]> credits = options.model().isRuleBased()
                            ? ruleBased(convertingJourneys, options.model().ruleBased(halfLife(options, s), options.custom()))
                            : dataDriven(convertingJourneys, opportunities, touches, from, to, options, lookback, false).credits();
                    List<OpportunityCredit> out = new ArrayList<>();
                    for (int k = 0; k < convertingJourneys.size(); k++) {
                        Opportunity o = converting.opportunities().get(k);
                        Journey j = convertingJourneys.get(k);
                        Map<String, TouchRow> byId = converting.touchesById().get(k);
                        Map<String, Double> credit = new TreeMap<>(Journey::compareByCodePoint);
                        Map<String, Integer> touchCount = new TreeMap<>(Journey::compareByCodePoint);
                        for (int i = 0; i < j.size(); i++) {
                            String key = byId.get(j.touch(i).id()).key(groupBy);
                            credit.merge(key, credits.get(k)[i], Double::sum);
                            touchCount.merge(key, 1, Integer::sum);
                        }
                        out.add(new OpportunityCredit(o, j, credit, touchCount));
                    }
                    return out;
                });
            });
        });
    }
}
