package io.closedloop.ingestion.feed;

import io.closedloop.plumbing.feed.FeedReader;

import java.util.Map;
import java.util.Set;

/**
 * Ingestion's streams (docs/feeds.md): each a SELECT over its table(s) yielding xid, seq,
 * workspace_id, kind, the payload documented there and the partition key (the object's id; '' for
 * identity facts and erasures, which a consumer applies per workspace). Payloads are built when read,
 * so writes stay narrow, as {@code json} (text written as it is built; a {@code jsonb} object would be built, its keys
 * sorted and then printed as text: a third more of the page's cost).
 */
public final class FeedStreams {

    static final String TOUCHES = """
            select xid, seq, workspace_id, 'touch' as kind, json_build_object(
                'id', id, 'occurredAt', iso_utc(occurred_at), 'type', type, 'identifiers', identifiers,
                'channel', channel, 'source', source, 'medium', medium, 'campaign', campaign, 'content', content,
                'term', term, 'referrer', referrer, 'url', url, 'clickIds', coalesce(click_ids, '{}'::jsonb),
                'event', event, 'utmValid', utm_valid) as payload, id as partition_key
            from touch""";

    static final String IDENTITY_FACTS = """
            select xid, seq, workspace_id, kind, case when account is null
                then json_build_object('id', id, 'occurredAt', iso_utc(occurred_at), 'identifiers', identifiers)
                else json_build_object('id', id, 'occurredAt', iso_utc(occurred_at), 'identifiers', identifiers, 'account', account)
                end as payload, '' as partition_key
            from identity_fact""";

    static final String CRM = """
            select xid, seq, workspace_id, 'account' as kind, json_build_object(
                'id', id, 'name', name, 'domains', domains, 'industry', industry, 'createdAt', iso_utc(created_at)) as payload,
                id as partition_key
            from crm_account
            union all
            select xid, seq, workspace_id, 'contact', json_build_object(
                'id', id, 'email', email, 'phone', phone, 'accountId', account_id, 'createdAt', iso_utc(created_at),
                'leadCreatedAt', iso_utc(lead_created_at)), id
            from crm_contact
            union all
            select xid, seq, workspace_id, 'opportunity', json_build_object(
                'id', id, 'accountId', account_id, 'name', name, 'amount', amount::text, 'currency', currency,
                'createdAt', iso_utc(created_at), 'stage', stage, 'status', status, 'closedAt', iso_utc(closed_at),
                'contactRoles', coalesce(contact_roles, '[]'::jsonb), 'stageHistory', coalesce(stage_history, '[]'::jsonb)), id
            from crm_opportunity""";

    static final String REVENUE = """
            select xid, seq, workspace_id, 'revenue' as kind, json_build_object(
                'id', id, 'accountId', account_id, 'opportunityId', opportunity_id, 'amount', amount::text,
                'currency', currency, 'occurredAt', iso_utc(occurred_at)) as payload, id as partition_key
            from revenue""";

    static final String SPEND = """
            select xid, seq, workspace_id, 'spend' as kind, json_build_object(
                'id', id, 'date', to_char(day, 'YYYY-MM-DD'), 'channel', channel, 'source', source, 'medium', medium,
                'campaign', campaign, 'amount', amount::text, 'currency', currency) as payload, id as partition_key
            from spend""";

    static final String ERASURES = """
            select xid, seq, workspace_id, 'erasure' as kind, json_build_object(
                'erasureId', erasure_id, 'identifiers', identifiers) as payload, '' as partition_key
            from erasure_item""";

    private static final Map<String, FeedReader> READERS = Map.of(
            "touches", new FeedReader(TOUCHES),
            "identity-facts", new FeedReader(IDENTITY_FACTS),
            "crm", new FeedReader(CRM),
            "revenue", new FeedReader(REVENUE),
            "spend", new FeedReader(SPEND),
            "erasures", new FeedReader(ERASURES));

    private FeedStreams() {
    }

    /** The reader of {@code stream}, or null when ingestion has no such stream. */
    public static FeedReader reader(String stream) {
        return READERS.get(stream);
    }

    public static Map<String, FeedReader> readers() {
        return READERS;
    }

    public static Set<String> names() {
        return READERS.keySet();
    }
}
