package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.CrmAccount;
import io.closedloop.ingestion.crm.Fields;
import io.smallrye.graphql.api.federation.FieldSet;
import io.smallrye.graphql.api.federation.Key;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

/**
 * The CRM fields ingestion contributes to the federated Account (DESIGN §9): identity-service owns it (name, domains,
 * persons), attribution-service adds engagement and credit. An account the CRM does not know (identity knows accounts from
 * domains and group calls too) resolves with null fields (its opportunities are those naming it, if any). A top-level class named like its GraphQL
 * type: SmallRye's _entities finds an entity's type by its class. No type description: identity's describes it.
 *
 * @param opportunityPages the opportunities of every account resolved with this one, read together (CrmEntityApi)
 */
@Name("Account")
@Key(fields = @FieldSet("id"))
public record Account(
        @NonNull @Id String id,
        @Description("The industry the CRM gives; null when it gives none or does not know the account.") String industry,
        @Description("When the account was created in the CRM (ISO-8601, UTC); null when unknown.") String crmCreatedAt,
        @Ignore AccountOpportunities opportunityPages) {

    static Account of(String id, CrmAccount stored, AccountOpportunities opportunityPages) {
        return stored == null ? new Account(id, null, null, opportunityPages)
                : new Account(id, stored.industry(), stored.createdAt() == null ? null : Fields.ISO.format(stored.createdAt()),
                opportunityPages);
    }
}
