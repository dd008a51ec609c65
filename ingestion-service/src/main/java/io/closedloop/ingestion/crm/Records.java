package io.closedloop.ingestion.crm;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/** Checked items, ready to store. Money is as given; the service converts it into the reporting currency. */
public final class Records {

    private Records() {
    }

    public record Account(String id, String name, List<String> domains, String industry, OffsetDateTime createdAt) {
    }

    public record Contact(String id, String email, String phone, String accountId, OffsetDateTime createdAt,
                          OffsetDateTime leadCreatedAt) {
    }

    public record ContactRole(String contactId, String role) {
    }

    public record StageChange(String stage, OffsetDateTime enteredAt) {
    }

    /** @param amount null when the input had none (then the stored amount is kept) */
    public record Opportunity(String id, String accountId, String name, Money amount, OffsetDateTime createdAt, String stage,
                              String status, OffsetDateTime closedAt, List<ContactRole> contactRoles, List<StageChange> stageHistory) {
        /** The day whose exchange rate converts the amount: the close day of a closed deal, else the creation day. */
        public LocalDate rateDay() {
            return (closedAt != null && !status.equals("OPEN") ? closedAt : createdAt).toLocalDate();
        }
    }

    public record OpportunityStage(String opportunityId, StageChange change) {
    }

    public record Revenue(String id, String accountId, String opportunityId, Money amount, OffsetDateTime occurredAt) {
    }

    public record Spend(String id, LocalDate date, String channel, String source, String medium, String campaign, Money amount) {
    }

    public record OfflineTouch(String id, OffsetDateTime occurredAt, String email, String phone, String contactId, String type,
                               String channel, String source, String medium, String campaign, boolean utmValid) {
    }

    public record ExchangeRate(LocalDate date, String currency, BigDecimal rate) {
        public String id() {
            return currency + "|" + date;
        }
    }

    /** An amount as given; {@code currency} null means the reporting currency. */
    public record Money(BigDecimal amount, String currency) {
    }
}
