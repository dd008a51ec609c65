package io.closedloop.ingestion.graphql;

import io.closedloop.plumbing.graphql.Money;
import io.closedloop.ingestion.CrmOpportunity;
import io.closedloop.ingestion.crm.Fields;
import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import java.util.List;

/**
 * The CRM fields ingestion contributes to the federated Opportunity (DESIGN §9); attribution-service adds its journey and
 * credit. A top-level class named like its GraphQL type: SmallRye's _entities finds an entity's type by its class. No type
 * description: the subgraphs sharing the type would have to describe it alike.
 */
@Name("Opportunity")
@Key(fields = @FieldSet("id"))
public record Opportunity(
        @NonNull @Id String id,
        @Description("Its CRM account's id.") String accountId,
        String name,
        @Description("The amount in the workspace's reporting currency (currency), converted on import when given in another.")
        Money amount,
        @Description("The reporting currency the amount is in.") String currency,
        @Description("The CRM stage it is in.") String stage,
        @NonNull OpportunityStatus status,
        @Description("When it was created in the CRM (ISO-8601, UTC).") @NonNull String createdAt,
        @Description("When it was won or lost (ISO-8601, UTC); an open one's is the close time the CRM gave, if any.") String closedAt,
        @Description("The stages it went through, in the order entered.") @NonNull List<@NonNull StageChange> stageHistory,
        @Description("The contacts involved and their roles, as the CRM gave them.") @NonNull List<@NonNull ContactRole> contactRoles) {

    @Name("StageChange")
    @Description("An opportunity entering a stage.")
    public record StageChange(@NonNull String stage, @Description("ISO-8601, UTC.") @NonNull String enteredAt) {
    }

    @Name("ContactRole")
    @Description("A contact's role in an opportunity (e.g. Decision Maker).")
    public record ContactRole(@NonNull String contactId, String role) {
    }

    static Opportunity of(CrmOpportunity o) {
        return new Opportunity(o.id(), o.accountId(), o.name(), Money.inCurrency(o.amount(), o.currency()), o.currency(), o.stage(),
                OpportunityStatus.valueOf(o.status()), Fields.ISO.format(o.createdAt()),
                o.closedAt() == null ? null : Fields.ISO.format(o.closedAt()),
                o.stageHistory().stream().map(s -> new StageChange(s.stage(), s.enteredAt())).toList(),
                o.contactRoles().stream().map(r -> new ContactRole(r.contactId(), r.role())).toList());
    }
}
