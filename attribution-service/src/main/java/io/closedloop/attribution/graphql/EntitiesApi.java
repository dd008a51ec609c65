package io.closedloop.attribution.graphql;

import io.closedloop.attribution.graphql.ReportInputs.ModelInput;
import io.closedloop.attribution.graphql.ReportInputs.PeriodInput;
import io.closedloop.attribution.model.Basis;
import io.closedloop.attribution.report.Dimension;
import io.closedloop.attribution.report.TouchCursor;
import io.closedloop.attribution.service.EngagementReports;
import io.closedloop.attribution.report.OpportunityJourney;
import io.closedloop.attribution.report.Paging;
import io.closedloop.attribution.service.PerformanceReports;
import io.closedloop.attribution.report.ReportViews.AccountCredit;
import io.closedloop.attribution.report.ReportViews.AccountEngagement;
import io.closedloop.attribution.report.ReportViews.CreditedOpportunity;
import io.closedloop.attribution.report.ReportViews.PersonTouchConnection;
import io.closedloop.attribution.report.ReportViews.TimelineEntryConnection;
import io.closedloop.attribution.service.AttributionService;
import io.closedloop.plumbing.graphql.EntityLookups;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.graphql.api.Context;
import io.smallrye.graphql.api.federation.Inaccessible;
import io.smallrye.mutiny.Uni;
import org.dataloader.Try;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import java.time.Instant;
import java.util.List;

/**
 * What attribution-service contributes to the federated entities (DESIGN §9): Opportunity.journey, Account.timeline,
 * engagement and credit, Person.touches, and the Opportunity a report row names. An entity resolves to its key alone, with
 * no statement; each field is answered for every entity of a request at once (FieldBatches; Account.engagement through
 * SmallRye's batching), so a gateway's {@code _entities} request with N representations costs each field asked a fixed
 * number of statements. Roles analyst or admin, as the reports; every statement is bounded by the caller's workspace, so a
 * representation of another workspace's object finds nothing.
 */
@GraphQLApi
public class EntitiesApi {

    private static final String FIRST = "Page size: default " + Paging.DEFAULT_PAGE + ", at most " + Paging.MAX_PAGE + ".";

    private final AttributionService attribution;
    private final EngagementReports engagement;
    private final PerformanceReports performance;
    private final ReportPeriods periods;
    private final Caller caller;
    private final Context context;

    public EntitiesApi(AttributionService attribution, EngagementReports engagement, PerformanceReports performance,
                       ReportPeriods periods, Caller caller, Context context) {
        this.attribution = attribution;
        this.engagement = engagement;
        this.performance = performance;
        this.periods = periods;
        this.caller = caller;
        this.context = context;
    }

    // The entity lookups: _entities calls each once with the ids of all its type's representations
    // (quarkus.smallrye-graphql.federation.batch-resolving-enabled; SmallRye takes a query field returning a list of the
    // entity type, not of a non-null one, whose argument is named like the key field). Each entity is its key alone: no
    // statement, and no role to check (every field checks it). Query fields marked @inaccessible: in the subgraph, where
    // _entities finds them, not in the supergraph's API. Not @Resolver methods: SmallRye registers the fetchers of its
    // hidden resolver type after plumbing's FieldVisibility copied the code registry, so _entities would get null.

    @Query
    @Inaccessible
    @Description("Federation entity lookup (_entities calls it with every Opportunity representation's id): the"
            + " opportunities in the order of the ids, to ask attribution's fields of (journey, null for an opportunity"
            + " attribution does not know).")
    public Uni<@NonNull List<Opportunity>> attributionOpportunities(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().item(() -> EntityLookups.checked("attributionOpportunities", id).stream().map(Opportunity::new).toList());
    }

    @Query
    @Inaccessible
    @Description("Federation entity lookup (_entities calls it with every Account representation's id): the accounts in"
            + " the order of the ids, to ask attribution's fields of (timeline, engagement, credit; empty for an account"
            + " attribution does not know).")
    public Uni<@NonNull List<Account>> attributionAccounts(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().item(() -> EntityLookups.checked("attributionAccounts", id).stream().map(Account::new).toList());
    }

    @Query
    @Inaccessible
    @Description("Federation entity lookup (_entities calls it with every Person representation's id): the persons in the"
            + " order of the ids, to ask attribution's fields of (touches; none for a person attribution does not know).")
    public Uni<@NonNull List<Person>> attributionPersons(@NonNull List<@NonNull String> id) {
        return Uni.createFrom().item(() -> EntityLookups.checked("attributionPersons", id).stream().map(Person::new).toList());
    }

    /** Opportunity.journey's arguments as asked (records of values, so equal arguments share a batch). */
    private record JourneyArguments(String workspace, ModelInput model, Basis basis) {
    }

    @Description("Its journey with milestones and each touch's credit under a rule-based model (as opportunityJourney); null"
            + " when attribution does not know the opportunity.")
    public Uni<OpportunityJourney> journey(
            @Source Opportunity opportunity,
            @NonNull @Description("The attribution model and its parameters: a rule-based one (MARKOV and SHAPLEY learn from"
                    + " a period's population; ask performance).") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis) {
        String op = "Opportunity.journey";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        ReportInputs.journeyOptions(op, model, basis);
        return FieldBatches.load(context, op, new JourneyArguments(workspace, model, basis), opportunity.id(),
                (a, ids) -> attribution.journeys(a.workspace(), op, ids, ReportInputs.journeyOptions(op, a.model(), a.basis()))
                        .map(outcomes -> outcomes.stream().map(o -> o.refused() != null ? Try.<OpportunityJourney>failed(o.refused())
                                : Try.succeeded(o.journey())).toList()));
    }

    /** Account.timeline's arguments as asked. */
    private record TimelineArguments(String workspace, int first, String after) {
    }

    @Description("Its touches and stage changes, newest first (as accountView's timeline, the same cursors).")
    public Uni<@NonNull TimelineEntryConnection> timeline(
            @Source Account account,
            @Description(FIRST) Integer first,
            @Description("The endCursor of the previous page; omitted: the newest entries.") String after) {
        String op = "Account.timeline";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        int limit = Paging.first(op + ".first", first);
        EngagementReports.checkTimelineCursor(op + ".after", after);
        return FieldBatches.load(context, op, new TimelineArguments(workspace, limit, after), account.id(),
                (a, ids) -> engagement.timelines(a.workspace(), ids, op + ".after", a.after(), a.first()).map(FieldBatches::all));
    }

    @NonNull
    @Description("Contacts reached, buying-committee coverage and engagement velocity (as accountView's), over every touch.")
    public Uni<List<AccountEngagement>> engagement(@Source List<Account> accounts) {
        String workspace;
        try {
            workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        } catch (RuntimeException e) {
            // A failed Uni, not a throw: SmallRye wraps what a batch method throws, and the caller would read "System error".
            return Uni.createFrom().failure(e);
        }
        return engagement.engagements(workspace, accounts.stream().map(Account::id).toList());
    }

    /** Account.credit's arguments as asked. */
    private record CreditArguments(String workspace, PeriodInput period, ModelInput model, Basis basis, Dimension groupBy) {
    }

    @Description("The credit its opportunities converting in the period (created on PIPELINE; won with the close in the period"
            + " on REVENUE) give each group under the model, largest amount first, then by key: the performance report's"
            + " rows restricted to this account. Computed on demand.")
    public Uni<@NonNull List<@NonNull AccountCredit>> credit(
            @Source Account account,
            @NonNull @Description("Dates (YYYY-MM-DD, both inclusive) of the conversions counted.") PeriodInput period,
            @NonNull @Description("The attribution model and its parameters.") ModelInput model,
            @DefaultValue("PIPELINE") @Description("PIPELINE or REVENUE.") Basis basis,
            @DefaultValue("CHANNEL") @Description("The touch dimension the groups are.") Dimension groupBy) {
        String op = "Account.credit";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        periods.of(op, period);
        ReportInputs.options(op, "model", model, basis);
        return FieldBatches.load(context, op, new CreditArguments(workspace, period, model, basis,
                groupBy == null ? Dimension.CHANNEL : groupBy), account.id(), (a, ids) -> {
                    Instant[] range = periods.of(op, a.period());
                    return performance.accountCredits(a.workspace(), ids, range[0], range[1], a.groupBy(),
                            ReportInputs.options(op, "model", a.model(), a.basis())).map(FieldBatches::all);
                });
    }

    /** Person.touches's arguments as asked. */
    private record TouchArguments(String workspace, int first, String after) {
    }

    @Description("Its touches (those of identifiers resolved to it), newest first, then by id descending.")
    public Uni<@NonNull PersonTouchConnection> touches(
            @Source Person person,
            @Description(FIRST) Integer first,
            @Description("The endCursor of the previous page; omitted: the newest touches.") String after) {
        String op = "Person.touches";
        String workspace = caller.workspaceFor(Roles.ANALYST, Roles.ADMIN);
        int limit = Paging.first(op + ".first", first);
        TouchCursor.of(op + ".after", after);
        return FieldBatches.load(context, op, new TouchArguments(workspace, limit, after), person.id(),
                (a, ids) -> engagement.personTouches(a.workspace(), ids, op + ".after", a.after(), a.first()).map(FieldBatches::all));
    }

    // A Uni: answered on the event loop (a plain result would be a worker thread's, one hop per row).
    @Description("The opportunity, to ask its other fields of (its CRM fields are ingestion's).")
    public Uni<@NonNull Opportunity> opportunity(@Source CreditedOpportunity row) {
        return Uni.createFrom().item(new Opportunity(row.opportunityId()));
    }
}
