package io.closedloop.attribution.service;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.attribution.report.Rounding;
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
import io.closedloop.attribution.report.Milestone;
import io.closedloop.attribution.report.ModelExplanations;
import io.closedloop.attribution.report.ReportViews.ModelExplanation;
import io.closedloop.attribution.report.OpportunityJourney;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.JourneyRepository.Window;
import io.closedloop.attribution.rollup.RollupState;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
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
import java.util.function.Supplier;

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
    private final JourneyStore store;

    public AttributionService(JourneyRepository journeys, AttributionSettingsService settings, RollupReports rollups,
                              OnDemandWork onDemand, JourneyStore store) {
        this.journeys = journeys;
        this.store = store;
        this.settings = settings;
        this.rollups = rollups;
        this.onDemand = onDemand;
    }

    /** The journey of one opportunity with milestones and each touch's credit (rule-based models). */
    public Uni<OpportunityJourney> journey(String workspace, String opportunityId, ModelOptions options) {
        return journeys(workspace, "opportunityJourney", List.of(opportunityId), options).map(outcomes -> {
            JourneyOutcome outcome = outcomes.get(0);
            if (outcome.refused() != null) {
                throw outcome.refused();
            }
            if (outcome.journey() == null) {
                throw new IllegalArgumentException("opportunityJourney.opportunityId: no opportunity '" + opportunityId
                        + "' in this workspace");
            }
            return outcome.journey();
        });
    }

    /**
     * One opportunity's journey; null when the workspace has no such opportunity, or {@code refused} (naming the basis
     * argument) when it has one the basis does not apply to.
     */
    public record JourneyOutcome(OpportunityJourney journey, IllegalArgumentException refused) {
    }

    /**
     * The journeys of the opportunities {@code ids} under a rule-based model, in the order of the ids, with milestones and
     * each touch's credit: three statements for any number of opportunities (the settings, the opportunities, and the
     * touches of their accounts, or of their contact roles' persons, each in its journeys' window). Errors name
     * {@code operation}.
     */
    public Uni<List<JourneyOutcome>> journeys(String workspace, String operation, List<String> ids, ModelOptions options) {
        String dataAsOf = Instant.now().toString();
        return settings.get(workspace).chain(s -> journeys.opportunities(workspace, new HashSet<>(ids)).chain(found -> {
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            JourneyScope scope = scope(options, s);
            Map<String, Opportunity> byId = new HashMap<>();
            // Per account (or person): from the earliest start to the latest conversion of its journeys here.
            Map<String, Window> windows = new HashMap<>();
            for (Opportunity o : found) {
                byId.put(o.id(), o);
                if (refusal(operation, o, options.basis()) != null) {
                    continue;
                }
                Instant start = o.createdAt().minus(lookback);
                Instant conversion = options.basis() == Basis.PIPELINE ? o.createdAt() : o.closedAt();
                widen(windows, o, scope, start, conversion);
            }
            Uni<Map<String, List<TouchRow>>> touches = scope == JourneyScope.CONTACT_ROLES
                    ? journeys.touchesOfPersons(workspace, windows.values())
                    : journeys.touchesOfAccounts(workspace, windows.values());
            // Up to a thousand journeys (a lookup's most): built on a worker thread, not on the event loop.
            return touches.emitOn(Infrastructure.getDefaultWorkerPool()).map(byAccount -> {
                JourneyTouches journeyTouches = new JourneyTouches(byAccount, scope);
                RuleBasedModel rule = options.model().ruleBased(halfLife(options, s), options.custom());
                List<JourneyOutcome> out = new ArrayList<>(ids.size());
                for (String id : ids) {
                    Opportunity o = byId.get(id);
                    IllegalArgumentException refused = o == null ? null : refusal(operation, o, options.basis());
                    out.add(o == null || refused != null ? new JourneyOutcome(null, refused)
                            : new JourneyOutcome(view(o, journeyTouches.of(o), options, lookback, rule, dataAsOf), null));
                }
                return out;
            });
        }));
    }

    /** Widens {@code id}'s window in {@code windows} to hold [from, to]. */
    /** Widens the touch window of each account (or contact-role person) of {@code o}'s journey to [from, to]. */
    private static void widen(Map<String, Window> windows, Opportunity o, JourneyScope scope, Instant from, Instant to) {
        Set<String> whose = scope == JourneyScope.CONTACT_ROLES ? o.rolePersons()
                : o.accountId() == null ? Set.of() : Set.of(o.accountId());
        for (String id : whose) {
            windows.merge(id, new Window(id, from, to), (a, b) -> new Window(id, a.from().isBefore(b.from()) ? a.from() : b.from(),
                    a.to().isAfter(b.to()) ? a.to() : b.to()));
        }
    }

    /** Why {@code o} has no journey on {@code basis}, or null: the revenue basis needs a won opportunity with its close. */
    private static IllegalArgumentException refusal(String operation, Opportunity o, Basis basis) {
        if (basis == Basis.REVENUE && !"WON".equals(o.status())) {
            return new IllegalArgumentException(operation + ".basis: the revenue basis needs a won opportunity; '" + o.id()
                    + "' is " + o.status());
        }
        if (basis == Basis.REVENUE && o.closedAt() == null) {
            return new IllegalArgumentException(operation + ".basis: the revenue basis needs the close of a won opportunity; '"
                    + o.id() + "' has none");
        }
        return null;
    }

    /** {@code o}'s journey over {@code rows} (its touches, the journey cuts them to its window) as the API shows it. */
    private static OpportunityJourney view(Opportunity o, List<TouchRow> rows, ModelOptions options, Duration lookback,
                                           RuleBasedModel rule, String dataAsOf) {
        Journey journey = journey(o, rows, options.basis(), lookback);
        double[] credit = rule.credit(journey);
        Map<String, TouchRow> byId = byId(rows);
        int digits = Rounding.digits(o.currency());
        double[] shares = new double[journey.size()];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = credit[i] * o.amountOrZero();
        }
        // The touches' amounts add up to the opportunity's exactly (nothing when unattributed).
        Money whole = Rounding.of(o.amount() == null ? BigDecimal.ZERO : o.amount(), digits);
        List<Money> amounts = Rounding.apportion(shares, journey.size() == 0 ? Rounding.of(BigDecimal.ZERO, digits) : whole);
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
        return new OpportunityJourney(o.id(), o.accountId(), OpportunityStatus.of(o.status()), options.basis(),
                options.model(), o.amount() == null ? null : Rounding.of(o.amount(), digits),
                o.currency(), o.createdAt().toString(), o.closedAt() == null ? null : o.closedAt().toString(),
                journey.isUnattributed(), views, dataAsOf);
    }

    /**
     * Credits of the opportunities converting in [from, to) (created, on the pipeline basis; won
     * with the close in the period, on the revenue basis), grouped by a touch dimension: from the
     * rollups when they answer the query (RollupReports.answers), else computed on demand.
     */
    public Uni<AttributionReport> attribution(String workspace, Instant from, Instant to, Dimension groupBy,
                                              ModelOptions options) {
        return answeringRollups(workspace, from, to, options).chain(state -> state != null
                ? rollups.report(state, from, to, groupBy, options.model(), options.custom(), options.basis(), true)
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
            if (stored(workspace, options, scope(options, s))) {
                return onStored(workspace, from, to, options, lookback, rule(options, s), true,
                        stored -> stored.report(from, to, groupBy, options, dataAsOf),
                        () -> attributionOnDemand(workspace, from, to, groupBy, options));
            }
            Uni<List<Opportunity>> inScope = options.basis() == Basis.PIPELINE
                    ? journeys.createdIn(workspace, from, to) : journeys.closedIn(workspace, from, to, null);
            return inScope.chain(opportunities -> {
                Instant lower = from;
                for (Opportunity o : opportunities) {
                    Instant start = o.createdAt().minus(lookback);
                    lower = start.isBefore(lower) ? start : lower;
                }
                // Conversion points lie before `to`, so [lower, to] holds every touch any journey needs.
                Instant earliest = lower;
                return onDemand.run(workspace, chosen(options, scope(options, s)),
                        () -> journeys.touchesByAccount(workspace, earliest, to), byAccount -> report(
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
                : dataDriven(converting, opportunities, touches, from, to, options, lookback, true);
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
                sum[1] += credit[i] * o.amountOrZero();
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

    /**
     * Whether the journeys come from the workspace's touches in memory (JourneyStore): the data-driven models on ACCOUNT
     * journeys, which read the period's whole population (every account's touches); the rule-based ones computed on demand
     * read only their opportunities' rows, and CONTACT_ROLES journeys need each touch's persons.
     */
    private boolean stored(String workspace, ModelOptions options, JourneyScope scope) {
        return scope == JourneyScope.ACCOUNT && !store.tooLarge(workspace);
    }

    /** The rule-based model of {@code options} with the workspace's half-life when it gives none; null for a data-driven one. */
    private static RuleBasedModel rule(ModelOptions options, AttributionSettings s) {
        return options.model().isRuleBased() ? options.model().ruleBased(halfLife(options, s), options.custom()) : null;
    }

    /**
     * Computes {@code then} of a question's journeys over the workspace's touches and opportunities in memory (JourneyStore),
     * holding an on-demand permit (what the user chose: charged to the workspace's share), on a worker thread; when the
     * workspace's touches are too large to keep, asks {@code fromRows} (the same question, which then reads the period's
     * rows).
     */
    private <T> Uni<T> onStored(String workspace, Instant from, Instant to, ModelOptions options, Duration lookback,
                                RuleBasedModel rule, boolean explain, java.util.function.Function<StoredJourneys, T> then,
                                Supplier<Uni<T>> fromRows) {
        return onDemand.run(workspace, chosen(options, JourneyScope.ACCOUNT), () -> store.journeys(workspace),
                        memory -> then.apply(StoredJourneys.of(memory.inScope(options.basis(), from, to), memory.touches(),
                                memory.firstWon(), from, to, options, lookback, rule, explain)))
                .onFailure(JourneyStore.TooLarge.class).recoverWithUni(e -> fromRows.get());
    }

    /**
     * A data-driven question's journeys and population on the pipeline basis, then on the revenue basis (what RefitIntervals
     * resamples): from the touches in memory for ACCOUNT journeys, else (CONTACT_ROLES journeys, or a workspace whose
     * touches are too large to keep in memory) from the rows read on demand, once for both bases.
     */
    Uni<List<RefitSource>> fittedJourneys(String workspace, Instant from, Instant to, ModelOptions options) {
        return settings.get(workspace).chain(s -> {
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            JourneyScope scope = scope(options, s);
            Supplier<Uni<List<RefitSource>>> fromRows = () -> rowJourneys(workspace, from, to, options, lookback, scope);
            if (!stored(workspace, options, scope)) {
                return fromRows.get();
            }
            return onStored(workspace, from, to, options.withBasis(Basis.PIPELINE), lookback, null, false, j -> (RefitSource) j,
                    () -> Uni.createFrom().nullItem())
                    .chain(pipeline -> pipeline == null ? fromRows.get() : onStored(workspace, from, to,
                            options.withBasis(Basis.REVENUE), lookback, null, false, j -> (RefitSource) j,
                            () -> Uni.createFrom().nullItem())
                            .chain(won -> won == null ? fromRows.get() : Uni.createFrom().item(List.of(pipeline, won))));
        });
    }

    /** Both bases' journeys and populations from the period's rows: one read of the touches, holding an on-demand permit. */
    private Uni<List<RefitSource>> rowJourneys(String workspace, Instant from, Instant to, ModelOptions options,
                                               Duration lookback, JourneyScope scope) {
        return journeys.createdIn(workspace, from, to).chain(created -> journeys.closedIn(workspace, from, to, null).chain(closed -> {
            Instant earliest = from;
            for (List<Opportunity> some : List.of(created, closed)) {
                for (Opportunity o : some) {
                    Instant start = o.createdAt().minus(lookback);
                    earliest = start.isBefore(earliest) ? start : earliest;
                }
            }
            Instant lower = earliest;
            return onDemand.run(workspace, true, () -> journeys.touchesByAccount(workspace, lower, to), byAccount -> {
                JourneyTouches touches = new JourneyTouches(byAccount, scope);
                List<RefitSource> sides = new ArrayList<>();
                for (Basis basis : List.of(Basis.PIPELINE, Basis.REVENUE)) {
                    List<Opportunity> inScope = basis == Basis.PIPELINE ? created : closed;
                    sides.add(population(converting(inScope, touches, basis, lookback), inScope, touches, from, to, basis,
                            lookback));
                }
                return sides;
            });
        }));
    }

    /** A revenue report computed on demand and its won deals' credits. */
    public record RevenueOnDemand(AttributionReport report, DealCredits won) {
    }

    /**
     * Converting deals' credits by key number, for figures over thousands of deals and keys without a map per deal: deal
     * {@code k} credits keys {@code keys[offsets[k] .. offsets[k + 1])} (each once, numbers of {@code names}) with
     * {@code credits} at the same positions; its journey's first touch at {@code firstTouchAt[k]} (epoch ms). {@code firstWon}:
     * the ids of the workspace's first won deals where the deals are in memory (JourneyStore), else null (the database
     * says which of these deals are).
     */
    public record DealCredits(List<Opportunity> deals, long[] firstTouchAt, String[] names, int[] offsets, int[] keys,
                              double[] credits, Set<String> firstWon) {

        /** The same of per-deal maps (the rows computed on demand). */
        static DealCredits of(List<OpportunityCredit> credits) {
            Map<String, Integer> numbers = new HashMap<>();
            List<String> names = new ArrayList<>();
            List<Opportunity> deals = new ArrayList<>(credits.size());
            long[] firstTouchAt = new long[credits.size()];
            int[] offsets = new int[credits.size() + 1];
            int size = 0;
            for (OpportunityCredit oc : credits) {
                size += oc.creditByKey().size();
            }
            int[] keys = new int[size];
            double[] values = new double[size];
            int at = 0;
            for (int k = 0; k < credits.size(); k++) {
                OpportunityCredit oc = credits.get(k);
                deals.add(oc.opportunity());
                firstTouchAt[k] = oc.firstTouchAt();
                for (Map.Entry<String, Double> e : oc.creditByKey().entrySet()) {
                    keys[at] = numbers.computeIfAbsent(e.getKey(), name -> {
                        names.add(name);
                        return names.size() - 1;
                    });
                    values[at++] = e.getValue();
                }
                offsets[k + 1] = at;
            }
            return new DealCredits(deals, firstTouchAt, names.toArray(new String[0]), offsets, keys, values, null);
        }
    }

    /**
     * The converting deals' credits of a question on its basis (won deals on REVENUE, created ones on PIPELINE), as
     * {@link #opportunityCredits} computes them.
     */
    public Uni<DealCredits> dealCredits(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options) {
        return settings.get(workspace).chain(s -> {
            if (!stored(workspace, options, scope(options, s))) {
                return opportunityCredits(workspace, from, to, groupBy, options).map(DealCredits::of);
            }
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            return onStored(workspace, from, to, options, lookback, rule(options, s), false, stored -> stored.dealCredits(groupBy),
                    () -> dealCredits(workspace, from, to, groupBy, options));
        });
    }

    /**
     * {@link #attributionOnDemand} on the revenue basis and {@link #opportunityCredits} of the same question: over the touches
     * in memory one population and one fit serve both (a data-driven model's fit is most of the work); else each as alone.
     */
    public Uni<RevenueOnDemand> revenueOnDemand(String workspace, Instant from, Instant to, Dimension groupBy, ModelOptions options) {
        ModelOptions revenue = options.withBasis(Basis.REVENUE);
        return settings.get(workspace).chain(s -> {
            if (!stored(workspace, revenue, scope(revenue, s))) {
                return attributionOnDemand(workspace, from, to, groupBy, revenue).chain(report ->
                        opportunityCredits(workspace, from, to, groupBy, revenue).map(won -> new RevenueOnDemand(report,
                                DealCredits.of(won))));
            }
            Duration lookback = Duration.ofDays(lookbackDays(revenue, s));
            String dataAsOf = Instant.now().toString();
            return onStored(workspace, from, to, revenue, lookback, rule(revenue, s), true, stored -> new RevenueOnDemand(
                    stored.report(from, to, groupBy, revenue, dataAsOf), stored.dealCredits(groupBy)),
                    () -> revenueOnDemand(workspace, from, to, groupBy, options));
        });
    }

    /** The opportunities converting on {@code basis} that have a journey, with it and its touches by id, in order. */
    record Converting(List<Opportunity> opportunities, List<Journey> journeys, List<Map<String, TouchRow>> touchesById,
                              int unattributed, double unattributedAmount) {
    }

    /** One pass over the opportunities: each one's touches are gathered once (a CONTACT_ROLES union is not free). */
    static Converting converting(List<Opportunity> opportunities, JourneyTouches touches, Basis basis, Duration lookback) {
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
                unattributedAmount += o.amountOrZero();
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
    record DataDriven(List<double[]> credits, ModelExplanation explanation) {
    }

    /**
     * The credits of the converting journeys, in their order, under a rule-based model ({@code rule}) or else the
     * data-driven model of {@code options} fitted to the period's population (as a report computed on demand).
     */
    static List<double[]> credits(Converting converting, List<Opportunity> opportunities, JourneyTouches touches, Instant from,
                                  Instant to, ModelOptions options, Duration lookback, RuleBasedModel rule) {
        return rule != null ? ruleBased(converting.journeys(), rule)
                : dataDriven(converting, opportunities, touches, from, to, options, lookback, false).credits();
    }

    /** @param explain whether to build the explanation too (a report shows it; the per-deal credits need none) */
    private static DataDriven dataDriven(Converting converting, List<Opportunity> opportunities,
                                         JourneyTouches touches, Instant from, Instant to,
                                         ModelOptions options, Duration lookback, boolean explain) {
        return fit(population(converting, opportunities, touches, from, to, options.basis(), lookback).paths(),
                converting.journeys().size(), options, explain);
    }

    /**
     * DESIGN §4 "Population" of rows read on demand, each journey with its unit (what a bootstrap draws): the converting
     * journeys (their deal's account; a deal without one is its own unit), one non-converting journey per opportunity lost
     * in the period (revenue basis) and the paths outside every journey in scope (each its account's).
     */
    static RowJourneys population(Converting converting, List<Opportunity> opportunities, JourneyTouches touches,
                                  Instant from, Instant to, Basis basis, Duration lookback) {
        PathPopulation.Builder population = PathPopulation.builder();
        List<String> units = new ArrayList<>();
        List<List<TouchRow>> journeyTouches = new ArrayList<>();
        for (int k = 0; k < converting.journeys().size(); k++) {
            Journey j = converting.journeys().get(k);
            Opportunity o = converting.opportunities().get(k);
            population.add(true, channels(j));
            units.add(unit(o));
            List<TouchRow> rows = new ArrayList<>(j.size());
            for (int i = 0; i < j.size(); i++) {
                rows.add(converting.touchesById().get(k).get(j.touch(i).id()));
            }
            journeyTouches.add(rows);
        }
        for (Opportunity o : opportunities) {
            if (basis == Basis.REVENUE && "LOST".equals(o.status())) {
                Journey lost = journey(o, touches.of(o), Basis.REVENUE, lookback);
                if (!lost.isUnattributed()) {
                    population.add(false, channels(lost));
                    units.add(unit(o));
                }
            }
        }
        for (JourneyTouches.Path outside : touches.outside(opportunities, from, to)) {
            population.add(false, outside.touches().stream().sorted(TOUCH_ORDER).map(TouchRow::channel).toList());
            units.add(outside.account());
        }
        return new RowJourneys(converting.opportunities(), journeyTouches, population.build(), units);
    }

    /** The unit a bootstrap draws an opportunity's journeys with: its account (every deal of one company together). */
    private static String unit(Opportunity o) {
        return o.accountId() != null ? o.accountId() : "\0opportunity:" + o.id();
    }

    /** Fits the model to a population whose first {@code converting} journeys are the converting ones, in order. */
    static DataDriven fit(PathPopulation built, int converting, ModelOptions options, boolean explain) {
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
        List<double[]> credits = new ArrayList<>(converting);
        for (int k = 0; k < converting; k++) {
            credits.add(fitted.credit(k));
        }
        return new DataDriven(credits, explanation);
    }

    private static Journey journey(Opportunity o, List<TouchRow> rows, Basis basis, Duration lookback) {
        List<Touch> touches = new ArrayList<>(rows.size());
        for (TouchRow t : rows) {
            touches.add(t.modelTouch());
        }
        return o.journey(basis, lookback, touches);
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

    private static int lookbackDays(ModelOptions options, AttributionSettings s) {
        return options.lookbackDays() != null ? options.lookbackDays() : s.lookbackDays;
    }

    private static double halfLife(ModelOptions options, AttributionSettings s) {
        return options.halfLifeDays() != null ? options.halfLifeDays() : s.halfLifeDays;
    }

    /**
     * One converting opportunity's credit per group key, for reports that need more than sums (report/): with its journey's
     * first touch time (epoch ms) and number of touches.
     */
    public record OpportunityCredit(Opportunity opportunity, long firstTouchAt, int touches, Map<String, Double> creditByKey,
                                    Map<String, Integer> touchesByKey) {
    }

    /**
     * Per-opportunity credits of the opportunities converting in [from, to) with a journey, computed
     * on demand exactly as {@link #attributionOnDemand} does (so their sums are its rows).
     */
    public Uni<List<OpportunityCredit>> opportunityCredits(String workspace, Instant from, Instant to, Dimension groupBy,
                                                           ModelOptions options) {
        return opportunityCredits(workspace, from, to, groupBy, options, null);
    }

    /**
     * {@link #opportunityCredits(String, Instant, Instant, Dimension, ModelOptions)} of the opportunities of {@code accounts}
     * only (null: of every account), the same credits whatever the accounts asked with them. A rule-based model's journeys
     * stand alone, so only those accounts' opportunities and touches are read (or their contact roles' persons' touches);
     * a data-driven model learns from the period's whole population, which is read and fitted as for every account.
     */
    public Uni<List<OpportunityCredit>> opportunityCredits(String workspace, Instant from, Instant to, Dimension groupBy,
                                                           ModelOptions options, Set<String> accounts) {
        return settings.get(workspace).chain(s -> {
            Duration lookback = Duration.ofDays(lookbackDays(options, s));
            JourneyScope scope = scope(options, s);
            // A rule-based question about a few accounts reads only their touches: no need for the workspace's in memory.
            if (stored(workspace, options, scope) && (accounts == null || !options.model().isRuleBased())) {
                return onStored(workspace, from, to, options, lookback, rule(options, s), false,
                        stored -> stored.opportunityCredits(groupBy, accounts),
                        () -> opportunityCredits(workspace, from, to, groupBy, options, accounts));
            }
            Set<String> read = options.model().isRuleBased() ? accounts : null;
            Uni<List<Opportunity>> inScope = options.basis() == Basis.PIPELINE
                    ? journeys.createdIn(workspace, from, to, read) : journeys.closedIn(workspace, from, to, read);
            return inScope.chain(opportunities -> {
                Instant lower = from;
                // Only the accounts read: each account's (or contact role person's) touches from its earliest journey's start.
                Map<String, Window> windows = new HashMap<>();
                for (Opportunity o : opportunities) {
                    Instant start = o.createdAt().minus(lookback);
                    lower = start.isBefore(lower) ? start : lower;
                    widen(windows, o, scope, start, to);
                }
                Instant earliest = lower;
                Supplier<Uni<Map<String, List<TouchRow>>>> load = read == null
                        ? () -> journeys.touchesByAccount(workspace, earliest, to)
                        : scope == JourneyScope.CONTACT_ROLES ? () -> journeys.touchesOfPersons(workspace, windows.values())
                        : () -> journeys.touchesOfAccounts(workspace, windows.values());
                return onDemand.run(workspace, chosen(options, scope), load, byAccount -> {
                    JourneyTouches touches = new JourneyTouches(byAccount, scope);
                    Converting converting = converting(opportunities, touches, options.basis(), lookback);
                    List<Journey> convertingJourneys = converting.journeys();
                    List<double[]> credits = options.model().isRuleBased()
                            ? ruleBased(convertingJourneys, options.model().ruleBased(halfLife(options, s), options.custom()))
                            : dataDriven(converting, opportunities, touches, from, to, options, lookback, false).credits();
                    List<OpportunityCredit> out = new ArrayList<>();
                    for (int k = 0; k < convertingJourneys.size(); k++) {
                        Opportunity o = converting.opportunities().get(k);
                        if (accounts != null && !accounts.contains(o.accountId())) {
                            continue;
                        }
                        Journey j = convertingJourneys.get(k);
                        Map<String, TouchRow> byId = converting.touchesById().get(k);
                        Map<String, Double> credit = new TreeMap<>(Journey::compareByCodePoint);
                        Map<String, Integer> touchCount = new TreeMap<>(Journey::compareByCodePoint);
                        for (int i = 0; i < j.size(); i++) {
                            String key = byId.get(j.touch(i).id()).key(groupBy);
                            credit.merge(key, credits.get(k)[i], Double::sum);
                            touchCount.merge(key, 1, Integer::sum);
                        }
                        out.add(new OpportunityCredit(o, j.touch(0).epochMillis(), j.size(), credit, touchCount));
                    }
                    return out;
                });
            });
        });
    }
}
