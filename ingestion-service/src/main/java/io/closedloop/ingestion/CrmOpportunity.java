package io.closedloop.ingestion;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A stored CRM opportunity (table crm_opportunity). {@code amount} is in the reporting currency {@code currency}, as stored
 * (2 decimals); {@code status} OPEN, WON or LOST; the stage history in the order stored (by entered time), its times as
 * stored (ISO-8601 UTC with milliseconds); contact roles as given.
 */
public record CrmOpportunity(String id, String accountId, String name, BigDecimal amount, String currency, String stage,
                             String status, OffsetDateTime createdAt, OffsetDateTime closedAt, List<StageChange> stageHistory,
                             List<ContactRole> contactRoles) {

    public record StageChange(String stage, String enteredAt) {
    }

    public record ContactRole(String contactId, String role) {
    }

    /**
     * A page of an account's opportunities, newest created first: those read for it (up to the size asked for plus one, the
     * one past the page only telling that more follow), how many the account has, and how many precede the page.
     */
    public record Page(List<CrmOpportunity> opportunities, int totalCount, int before) {
    }
}
