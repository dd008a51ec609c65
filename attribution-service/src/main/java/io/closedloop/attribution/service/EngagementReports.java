package io.closedloop.attribution.service;

import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.PerformanceTable;
import io.closedloop.attribution.report.ReportViews;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.report.Rounding;
import io.closedloop.attribution.repository.ReportRepository;

import io.closedloop.plumbing.graphql.PageInfo;
import io.closedloop.attribution.TouchType;
import io.closedloop.attribution.report.ReportViews.TimelineKind;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.model.ModelName;
import io.closedloop.attribution.repository.ReportRepository.AccountTouch;
import io.closedloop.attribution.repository.ReportRepository.OpportunityDetail;
import io.closedloop.attribution.repository.ReportRepository.TouchSummary;
import io.closedloop.attribution.report.ReportViews.AccountEngagement;
import io.closedloop.attribution.report.ReportViews.AccountView;
import io.closedloop.attribution.report.ReportViews.DataQuality;
import io.closedloop.attribution.report.ReportViews.PipelineInfluence;
import io.closedloop.attribution.report.ReportViews.SourcedInfluencedReport;
import io.closedloop.attribution.report.ReportViews.SourcedInfluencedRow;
import io.closedloop.attribution.report.ReportViews.SourcedInfluencedRowConnection;
import io.closedloop.attribution.report.ReportViews.SourcedInfluencedRowEdge;
import io.closedloop.attribution.report.ReportViews.TimelineEntry;
import io.closedloop.attribution.report.ReportViews.TimelineEntryConnection;
import io.closedloop.attribution.report.ReportViews.TimelineEntryEdge;
import io.closedloop.attribution.repository.JourneyRepository;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.service.AttributionService.ModelOptions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Sourced vs influenced, pipeline influence, data quality and the account view (DESIGN §5; docs/reports.md). */
@ApplicationScoped
public class EngagementReports {

    private static final double DAY_MILLIS = 86_400_000.0;
    private static final Comparator<TouchRow> TOUCH_ORDER = Comparator.comparing(TouchRow::occurredAt)
            .thenComparing(TouchRow::id, Journey::compareByCodePoint);

    private final JourneyRepository journeys;
    private final ReportRepository reports;
    private final AttributionSettingsService settings;
    private final AttributionService attribution;

    public EngagementReports(JourneyRepository journeys, ReportRepository reports, AttributionSettingsService settings,
                             AttributionService attribution) {
        this.journeys = journeys;
        this.reports = reports;
        this.settings = settings;
        this.attribution = attribution;
    }

    /**
     * Opportunities created in [from, to). Sourced by the group of the first touch of the account in
     * [creation − lookback, creation] when that touch is of a marketing type; influenced by every
     * group with a marketing touch in [creation − lookback, close] (open ones: up to now).
     */
    public Uni<SourcedInfluencedReport> sourcedInfluenced(String workspace, Instant from, Instant to, Dimension groupBy,
                                                          String field, String after, int first) {
        Instant now = Instant.now();
        return settings.get(workspace).chain(s -> reports.marketingTouchTypes(workspace).chain(marketing ->
                journeys.createdIn(workspace, from, to).chain(opportunities -> reports.currency(workspace).chain(currency -> {
                    Duration lookback = Duration.ofDays(s.lookbackDays);
                    int digits = Rounding.digits(currency);
                    return touches(workspace, opportunities, lookback, now).map(byAccount -> {
                        Set<String> types = new HashSet<>(marketing);
                        Map<String, double[]> sums = new TreeMap<>(Journey::compareByCodePoint);
                        double[] totals = new double[4];
                        for (Opportunity o : opportunities) {
                            double amount = o.amountOrZero();
                            Instant start = o.createdAt().minus(lookback);
                            Instant end = o.closedAt() != null ? o.closedAt() : now;
                            List<TouchRow> rows = new ArrayList<>(o.accountId() == null ? List.of()
                                    : byAccount.getOrDefault(o.accountId(), List.of()));
                            rows.sort(TOUCH_ORDER);
                            TouchRow firstTouch = rows.stream().filter(t -> !t.occurredAt().isBefore(start)
                                    && !t.occurredAt().isAfter(o.createdAt())).findFirst().orElse(null);
                            if (firstTouch != null && types.contains(firstTouch.type())) {
                                double[] sum = sums.computeIfAbsent(firstTouch.key(groupBy), k -> new double[4]);
                                sum[0]++;
                                sum[1] += amount;
                                totals[0]++;
                                totals[1] += amount;
                            }
                            Set<String> influencing = new HashSet<>();
                            for (TouchRow t : rows) {
                                if (!t.occurredAt().isBefore(start) && !t.occurredAt().isAfter(end) && types.contains(t.type())) {
                                    influencing.add(t.key(groupBy));
                                }
                            }
                            for (String key : influencing) {
                                double[] sum = sums.computeIfAbsent(key, k -> new double[4]);
                                sum[2]++;
                                sum[3] += amount;
                            }
                            if (!influencing.isEmpty()) {
                                totals[2]++;
                                totals[3] += amount;
                            }
                        }
                        // Whole amounts are summed: rounding only removes the binary sum's residue.
                        List<SourcedInfluencedRow> out = new ArrayList<>();
                        sums.forEach((key, v) -> out.add(new SourcedInfluencedRow(key, (int) v[0], Rounding.round(v[1], digits),
                                (int) v[2], Rounding.round(v[3], digits))));
                        out.sort(SOURCED_ORDER.comparator());
                        Paging.Page<SourcedInfluencedRow> page = Paging.page(field, out, after, first, SOURCED_ORDER);
                        return new SourcedInfluencedReport(now.toString(), groupBy, currency, TouchType.of(marketing),
                                new SourcedInfluencedRowConnection(page.edges(SourcedInfluencedRowEdge::new), page.pageInfo(),
                                        page.totalCount()),
                                new SourcedInfluencedRow(null, (int) totals[0], Rounding.round(totals[1], digits), (int) totals[2],
                                        Rounding.round(totals[3], digits)));
                    });
                }))));
    }

    private static final Paging.Order<SourcedInfluencedRow> SOURCED_ORDER = Paging.byAmountThenKey(
            SourcedInfluencedRow::influencedAmount, SourcedInfluencedRow::key);

    /** Opportunities created in [from, to) and OPEN or WON; influenced: a marketing touch of the account in [creation − N days, creation]. */
    public Uni<PipelineInfluence> pipelineInfluence(String workspace, Instant from, Instant to, int windowDays) {
        String dataAsOf = Instant.now().toString();
        Duration window = Duration.ofDays(windowDays);
        return reports.marketingTouchTypes(workspace).chain(marketing -> journeys.createdIn(workspace, from, to).chain(all -> {
            List<Opportunity> pipeline = all.stream().filter(o -> "OPEN".equals(o.status()) || "WON".equals(o.status())).toList();
            return touches(workspace, pipeline, window, to).chain(byAccount -> {
                Set<String> types = new HashSet<>(marketing);
                int count = 0;
                int influencedCount = 0;
                double amount = 0;
                double influencedAmount = 0;
                for (Opportunity o : pipeline) {
                    double a = o.amountOrZero();
                    count++;
                    amount += a;
                    Instant start = o.createdAt().minus(window);
                    boolean influenced = o.accountId() != null && byAccount.getOrDefault(o.accountId(), List.of()).stream()
                            .anyMatch(t -> types.contains(t.type()) && !t.occurredAt().isBefore(start)
                                    && !t.occurredAt().isAfter(o.createdAt()));
                    if (influenced) {
                        influencedCount++;
                        influencedAmount += a;
                    }
                }
                double a = amount;
                double ia = influencedAmount;
                int c = count;
                int ic = influencedCount;
                return reports.currency(workspace).map(currency -> new PipelineInfluence(dataAsOf, windowDays, currency, c,
                        Rounding.round(a, Rounding.digits(currency)), ic, Rounding.round(ia, Rounding.digits(currency)),
                        PerformanceTable.ratio(ic, c), PerformanceTable.ratio(ia, a)));
            });
        }));
    }

    public Uni<DataQuality> dataQuality(String workspace, Instant from, Instant to) {
        String dataAsOf = Instant.now().toString();
        ModelOptions linear = new ModelOptions(ModelName.LINEAR, Basis.REVENUE, null, null, 1, null);
        return reports.touchQuality(workspace, from, to).chain(q -> reports.revenueWithTouch(workspace, from, to)
                .chain(revenue -> reports.wonDealsClosedIn(workspace, from, to)
                        .chain(wonDeals -> attribution.opportunityCredits(workspace, from, to, Dimension.CHANNEL, linear)
                                .chain(credits -> reports.opportunitiesWithoutContactRoles(workspace, from, to)
                                        .chain(noRoles -> reports.unmappedCampaigns(workspace, from, to, 100).map(unmapped -> {
                                            long journeyTouches = 0;
                                            for (var oc : credits) {
                                                journeyTouches += oc.touches();
                                            }
                                            return new DataQuality(dataAsOf, (int) q.touches(),
                                                    PerformanceTable.ratio(q.utmValid(), q.utmKnown()),
                                                    PerformanceTable.ratio(q.withPerson(), q.touches()),
                                                    PerformanceTable.ratio(q.withAccount(), q.touches()),
                                                    PerformanceTable.ratio(revenue[1], revenue[0]),
                                                    PerformanceTable.ratio(journeyTouches, wonDeals), noRoles, unmapped);
                                        }))))));
    }

    /**
     * Newest first, then STAGE before TOUCH, then by id descending (a stage entry's id: its opportunity and stage); a
     * cursor is (time, kind, id).
     */
    static final Paging.Order<TimelineEntry> TIMELINE_ORDER = new Paging.Order<>(
            e -> List.of(Instant.parse(e.at()).toString(), e.kind().name(), timelineId(e)),
            Comparator.comparing((List<String> k) -> Instant.parse(k.get(0))).reversed()
                    .thenComparing(k -> k.get(1))
                    // The order of the SQL's collate "C": by code point.
                    .thenComparing((a, b) -> Journey.compareByCodePoint(b.get(2), a.get(2))));

    /** Where a timeline page continues: after the entry at {@code at} of {@code kind} with {@code id}. */
    private record TimelineCursor(Instant at, TimelineKind kind, String id) {

        static TimelineCursor of(String field, String after) {
            if (after == null) {
                return null;
            }
            List<String> key = Paging.decode(field, after);
            if (key.size() != 3 || key.get(2) == null) {
                throw Paging.notACursor(field, after);
            }
            try {
                return new TimelineCursor(Paging.instant(field, after, key.get(0)), TimelineKind.valueOf(key.get(1)), key.get(2));
            } catch (IllegalArgumentException e) {
                throw Paging.notACursor(field, after);
            }
        }
    }

    /** Refuses a timeline cursor this API did not return, naming {@code field}. */
    public static void checkTimelineCursor(String field, String after) {
        TimelineCursor.of(field, after);
    }

    private static String timelineId(TimelineEntry e) {
        return e.kind() == TimelineKind.TOUCH ? e.touchId() : e.opportunityId() + "|" + e.stage();
    }

    /**
     * The account's figures over every touch, and the page of its timeline after {@code after} ({@code field} names the
     * argument in errors).
     */
    public Uni<AccountView> accountView(String workspace, String accountId, String field, String after, int first) {
        String dataAsOf = Instant.now().toString();
        TimelineCursor cursor = TimelineCursor.of(field, after);
        List<String> account = List.of(accountId);
        return reports.accountTouchSummaries(workspace, account).chain(summaries -> touchesAfter(workspace, account, cursor, first)
                .chain(touches -> reports.accountOpportunities(workspace, account).chain(opportunities ->
                        engagement(workspace, account, summaries, opportunities).map(engagement -> {
                            TouchSummary summary = summaries.getOrDefault(accountId, TouchSummary.NONE);
                            List<OpportunityDetail> theirs = opportunities.getOrDefault(accountId, List.of());
                            AccountEngagement e = engagement.get(0);
                            return new AccountView(accountId, dataAsOf, timeline(summary, touches.getOrDefault(accountId, List.of()),
                                    theirs, field, after, first), e.contacts(), e.contactsReached(), e.buyingCommitteeCoverage(),
                                    e.engagementVelocityDays());
                        }))));
    }

    /**
     * The page of each account's timeline after {@code after} (as accountView's), in the order of {@code accounts}: three
     * statements for any number of accounts.
     */
    public Uni<List<TimelineEntryConnection>> timelines(String workspace, List<String> accounts, String field, String after,
                                                        int first) {
        TimelineCursor cursor = TimelineCursor.of(field, after);
        return reports.accountTouchSummaries(workspace, accounts).chain(summaries -> touchesAfter(workspace, accounts, cursor, first)
                .chain(touches -> reports.accountOpportunities(workspace, accounts).map(opportunities -> {
                    List<TimelineEntryConnection> out = new ArrayList<>(accounts.size());
                    for (String account : accounts) {
                        out.add(timeline(summaries.getOrDefault(account, TouchSummary.NONE), touches.getOrDefault(account, List.of()),
                                opportunities.getOrDefault(account, List.of()), field, after, first));
                    }
                    return out;
                })));
    }

    /** Each account's engagement figures (as accountView's), in the order of {@code accounts}: four statements for any number. */
    public Uni<List<AccountEngagement>> engagements(String workspace, List<String> accounts) {
        return reports.accountTouchSummaries(workspace, accounts).chain(summaries -> reports.accountOpportunities(workspace, accounts)
                .chain(opportunities -> engagement(workspace, accounts, summaries, opportunities)));
    }

    /** The first {@code first} + 1 touches of each account after the cursor (one more tells a page follows). */
    private Uni<Map<String, List<AccountTouch>>> touchesAfter(String workspace, List<String> accounts, TimelineCursor cursor,
                                                              int first) {
        return reports.accountTouchesAfter(workspace, accounts, cursor == null ? null : cursor.at(),
                cursor == null ? null : cursor.kind().name(), cursor == null ? null : cursor.id(), first + 1);
    }

    /** A timeline page from the account's touches after the cursor (at most first + 1) and all of its stage entries. */
    private static TimelineEntryConnection timeline(TouchSummary summary, List<AccountTouch> touches,
                                                    List<OpportunityDetail> opportunities, String field, String after, int first) {
        List<TimelineEntry> timeline = new ArrayList<>();
        for (AccountTouch t : touches) {
            timeline.add(new TimelineEntry(t.occurredAt().toString(), TimelineKind.TOUCH, t.id(), TouchType.of(t.type()),
                    t.channel(), t.campaign(), t.personId(), null, null));
        }
        int stages = 0;
        for (OpportunityDetail o : opportunities) {
            for (Object h : o.stageHistory()) {
                JsonObject stage = (JsonObject) h;
                stages++;
                timeline.add(new TimelineEntry(stage.getString("enteredAt"), TimelineKind.STAGE, null, null, null,
                        null, null, o.id(), stage.getString("stage")));
            }
        }
        timeline.sort(TIMELINE_ORDER.comparator());
        // The touches read are the first+1 after the cursor; the stage entries are all there.
        Paging.Page<TimelineEntry> page = Paging.page(field, timeline, after, first, TIMELINE_ORDER);
        long total = summary.touches() + stages;
        return new TimelineEntryConnection(page.edges(TimelineEntryEdge::new), new PageInfo(page.pageInfo().hasNextPage(),
                after != null, page.pageInfo().startCursor(), page.pageInfo().endCursor()), (int) Math.min(Integer.MAX_VALUE, total));
    }

    /** Each account's engagement from its touch summary and opportunities, reading its contacts and their persons. */
    private Uni<List<AccountEngagement>> engagement(String workspace, List<String> accounts, Map<String, TouchSummary> summaries,
                                                    Map<String, List<OpportunityDetail>> opportunities) {
        Set<String> roleContacts = new HashSet<>();
        opportunities.values().forEach(list -> list.forEach(o -> o.contactRoles()
                .forEach(r -> roleContacts.add(((JsonObject) r).getString("contactId")))));
        return reports.accountContacts(workspace, accounts).chain(contacts -> reports
                .contactPersons(workspace, accounts, roleContacts).map(personOf -> {
                    List<AccountEngagement> out = new ArrayList<>(accounts.size());
                    for (String account : accounts) {
                        out.add(engagement(summaries.getOrDefault(account, TouchSummary.NONE),
                                opportunities.getOrDefault(account, List.of()), contacts.getOrDefault(account, Set.of()), personOf));
                    }
                    return out;
                }));
    }

    /**
     * Contacts, those reached (their person has a touch), the share of the opportunities' contact roles whose person was
     * touched by the opportunity's creation, and the days from the first touch to the first opportunity.
     */
    private static AccountEngagement engagement(TouchSummary summary, List<OpportunityDetail> opportunities, Set<String> contacts,
                                                Map<String, String> personOf) {
        Map<String, Instant> firstTouchOf = summary.firstTouchOf();
        Instant firstTouch = summary.firstTouch();
        int roles = 0;
        int covered = 0;
        for (OpportunityDetail o : opportunities) {
            for (Object r : o.contactRoles()) {
                roles++;
                Instant reached = firstTouchOf.get(personOf.get(((JsonObject) r).getString("contactId")));
                if (reached != null && !reached.isAfter(o.createdAt())) {
                    covered++;
                }
            }
        }
        int reachedContacts = 0;
        for (String contact : contacts) {
            if (firstTouchOf.containsKey(personOf.get(contact))) {
                reachedContacts++;
            }
        }
        Double velocity = null;
        if (!opportunities.isEmpty() && firstTouch != null && !firstTouch.isAfter(opportunities.get(0).createdAt())) {
            velocity = (opportunities.get(0).createdAt().toEpochMilli() - firstTouch.toEpochMilli()) / DAY_MILLIS;
        }
        return new AccountEngagement(contacts.size(), reachedContacts, PerformanceTable.ratio(covered, roles), velocity);
    }

    /** The touches of the opportunities' accounts from the earliest (creation − window) to `until`. */
    private Uni<Map<String, List<TouchRow>>> touches(String workspace, List<Opportunity> opportunities, Duration window,
                                                     Instant until) {
        if (opportunities.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Instant lower = until;
        for (Opportunity o : opportunities) {
            Instant start = o.createdAt().minus(window);
            lower = start.isBefore(lower) ? start : lower;
        }
        return journeys.touchesByAccount(workspace, lower, until);
    }

    /** The touches behind a data-quality figure, newest first: the page after the cursor {@code after} (named {@code field}). */
    public Uni<ReportViews.QualityTouchConnection> qualityTouches(String workspace, Instant from, Instant to,
                                                                  ReportViews.QualityProblem problem, String field, String after, int first) {
        return reports.qualityTouches(workspace, from, to, problem, field, after, first);
    }

    /** Each person's touches, newest first, in the order of {@code persons}. */
    public Uni<List<ReportViews.PersonTouchConnection>> personTouches(String workspace, List<String> persons, String field,
                                                                      String after, int first) {
        return reports.personTouches(workspace, persons, field, after, first);
    }

    /** The touch types counted as marketing (the workspace's, or the default). */
    public Uni<List<String>> marketingTouchTypes(String workspace) {
        return reports.marketingTouchTypes(workspace);
    }

    /** Stores the touch types counted as marketing; returns them. */
    public Uni<List<String>> setMarketingTouchTypes(String workspace, List<String> types) {
        return reports.setMarketingTouchTypes(workspace, types);
    }
}
