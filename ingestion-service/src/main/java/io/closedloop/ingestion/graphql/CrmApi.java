package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.crm.Fields;
import io.closedloop.ingestion.crm.Inputs;
import io.closedloop.ingestion.crm.InvalidField;
import io.closedloop.ingestion.crm.ItemResult;
import io.closedloop.ingestion.service.CrmService;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.util.List;

/**
 * CRM objects, revenue, spend, offline touches and exchange rates (DESIGN §3), role {@code ingest}:
 * each mutation takes a list, upserts by the source system's id and answers one result per item.
 * Fields left out keep what is stored; an upsert that changes nothing writes nothing (UNCHANGED).
 */
@GraphQLApi
public class CrmApi {

    private final CrmService crm;
    private final Caller caller;

    public CrmApi(CrmService crm, Caller caller) {
        this.crm = crm;
        this.caller = caller;
    }

    @Name("ItemStatus")
    public enum ItemStatus { CREATED, UPDATED, UNCHANGED, REJECTED }

    @Name("ItemResult")
    @Description("The outcome of one item: its index in the list, its id, and for a rejected item the field at fault and why.")
    public record ItemResultDto(int index, String id, @NonNull ItemStatus status, String field, String error) {
        static ItemResultDto of(ItemResult r) {
            return new ItemResultDto(r.index(), r.id(), ItemStatus.valueOf(r.status().name()), r.field(), r.error());
        }
    }

    @Mutation
    @Description("Upserts CRM accounts by id. Domains may be given as domains, URLs or email addresses.")
    public Uni<List<@NonNull ItemResultDto>> upsertAccounts(@NonNull List<Inputs.Account> accounts) {
        return map(crm.upsertAccounts(ingest(), accounts));
    }

    @Mutation
    @Description("Upserts CRM contacts by id; each also links its contact id, email and phone for identity resolution.")
    public Uni<List<@NonNull ItemResultDto>> upsertContacts(@NonNull List<Inputs.Contact> contacts) {
        return map(crm.upsertContacts(ingest(), contacts));
    }

    @Mutation
    @Description("Upserts opportunities by id. amount is a decimal string; currency defaults to the reporting currency, another one "
            + "needs an exchange rate for the close day (closed deals) or the creation day. status OPEN, WON or LOST (else derived from "
            + "the stage). contactRoles and stageHistory left out keep what is stored.")
    public Uni<List<@NonNull ItemResultDto>> upsertOpportunities(@NonNull List<Inputs.Opportunity> opportunities) {
        return map(crm.upsertOpportunities(ingest(), opportunities, false));
    }

    @Mutation
    @Description("Adds entries (stage, enteredAt) to opportunities' stage histories; the opportunities must exist.")
    public Uni<List<@NonNull ItemResultDto>> addOpportunityStageChanges(@NonNull List<Inputs.OpportunityStage> changes) {
        return map(crm.addStageChanges(ingest(), changes));
    }

    @Mutation
    @Description("Upserts revenue (invoices, payments) by id; amounts in another currency need an exchange rate for their day.")
    public Uni<List<@NonNull ItemResultDto>> upsertRevenue(@NonNull List<Inputs.Revenue> revenue) {
        return map(crm.upsertRevenue(ingest(), revenue, false));
    }

    @Mutation
    @Description("Upserts daily marketing spend, keyed by date, channel, source, medium and campaign (the result's id). "
            + "A missing channel is derived from source and medium by the channel taxonomy.")
    public Uni<List<@NonNull ItemResultDto>> upsertSpend(@NonNull List<Inputs.Spend> spend) {
        return map(crm.upsertSpend(ingest(), spend, false));
    }

    @Mutation
    @Description("Upserts offline touches (calls, events, direct mail, sales outreach, \"how did you hear\") by id; the person is "
            + "named by email, phone or CRM contact id.")
    public Uni<List<@NonNull ItemResultDto>> upsertOfflineTouches(@NonNull List<Inputs.OfflineTouch> touches) {
        return map(crm.upsertOfflineTouches(ingest(), touches));
    }

    @Mutation
    @Description("Imports exchange rates into the reporting currency: on date, one unit of currency was worth rate units of it. "
            + "A rate serves its day and up to 7 days after.")
    public Uni<List<@NonNull ItemResultDto>> importExchangeRates(@NonNull List<Inputs.ExchangeRate> rates) {
        return map(crm.importExchangeRates(ingest(), rates, false));
    }

    @Query
    @Description("The caller's workspace's reporting currency (USD until an admin sets another).")
    public Uni<@NonNull String> reportingCurrency() {
        return crm.reportingCurrency(caller.workspaceFor(Roles.INGEST, Roles.ANALYST, Roles.ADMIN));
    }

    @Mutation
    @Description("Sets the workspace's reporting currency (role admin). Amounts already stored are not converted again.")
    public Uni<@NonNull String> updateReportingCurrency(@NonNull String currency) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        String code;
        try {
            code = Fields.currency(currency, "currency");
        } catch (InvalidField e) {
            throw new IllegalArgumentException("updateReportingCurrency.currency: " + e.getMessage());
        }
        if (code == null) {
            throw new IllegalArgumentException("updateReportingCurrency.currency: missing");
        }
        return crm.setReportingCurrency(workspace, code);
    }

    private String ingest() {
        return caller.workspaceFor(Roles.INGEST);
    }

    private static Uni<List<@NonNull ItemResultDto>> map(Uni<List<ItemResult>> results) {
        return results.map(list -> list.stream().map(ItemResultDto::of).toList());
    }
}
