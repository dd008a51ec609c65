package io.closedloop.ingestion.crm;

import java.util.List;

/**
 * What the GraphQL mutations and CSV imports hand in, as text: every field is checked by
 * {@link Validation}, which names the field of the first problem. Times are ISO-8601 (an offset or
 * Z; without one UTC), amounts decimal strings, currencies ISO 4217 codes (absent: the workspace's
 * reporting currency).
 */
public final class Inputs {

    private Inputs() {
    }

    public record Account(String id, String name, List<String> domains, String industry, String createdAt) {
    }

    public record Contact(String id, String email, String phone, String accountId, String createdAt, String leadCreatedAt) {
    }

    public record ContactRole(String contactId, String role) {
    }

    public record StageChange(String stage, String enteredAt) {
    }

    /**
     * @param status       OPEN, WON or LOST; when absent, derived from the stage (a stage naming "won" or "lost")
     * @param contactRoles null keeps the roles already stored
     * @param stageHistory null keeps the history already stored
     */
    public record Opportunity(String id, String accountId, String name, String amount, String currency, String createdAt,
                                   String stage, String status, String closedAt, List<ContactRole> contactRoles,
                                   List<StageChange> stageHistory) {
    }

    /** One entry of an opportunity's stage history, imported on its own (CSV kind stage-history). */
    public record OpportunityStage(String opportunityId, String stage, String enteredAt) {
    }

    public record Revenue(String id, String accountId, String opportunityId, String amount, String currency, String occurredAt) {
    }

    /** @param channel absent: derived from source, medium and campaign by the workspace's channel taxonomy */
    public record Spend(String date, String channel, String source, String medium, String campaign, String amount, String currency) {
    }

    /**
     * @param type    CALL, EVENT, DIRECT_MAIL, SALES_OUTREACH, HOW_DID_YOU_HEAR, WEBINAR, ... (any touch type but page and screen views)
     * @param channel absent: derived from source/medium/campaign, else from the type
     */
    public record OfflineTouch(String id, String occurredAt, String email, String phone, String contactId, String type,
                                    String channel, String source, String medium, String campaign) {
    }

    /** @param rate how many units of the reporting currency one unit of {@code currency} was worth that day */
    public record ExchangeRate(String date, String currency, String rate) {
    }
}
