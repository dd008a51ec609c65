package io.closedloop.attribution.recompute;

import io.closedloop.attribution.model.Journey;
import io.closedloop.attribution.journey.AccountState;
import io.closedloop.attribution.journey.Opportunity;
import io.closedloop.attribution.journey.TouchRow;
import io.closedloop.attribution.repository.BinaryCopyReader;
import io.closedloop.attribution.repository.RollupRepository;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One account at a time from two streams sorted by account (code point order, {@code collate "C"}):
 * the opportunities ({@link #opportunitiesSql}) and the touches reached through the memberships
 * ({@link #touchesSql}), merged here.
 *
 * <p>Why two binary COPY statements rather than one cursor over a join: a query read through a
 * cursor with a fetch size never gets parallel workers, while {@code COPY (query) TO STDOUT} may
 * join and sort the touches in parallel (the opportunities' lead-time subqueries would keep a
 * single statement serial); and the binary format needs no text formatting on the server nor
 * parsing here (timestamps travel as microseconds; amounts as their exact text, few per account). Both statements run in
 * one snapshot (the second connection imports the first's).
 */
final class AccountStream implements AutoCloseable {

    private final BinaryCopyReader opportunities;
    private final BinaryCopyReader touches;
    /** The account of the row each reader stands on, null at its end. */
    private String opportunityAccount;
    private String touchAccount;

    AccountStream(InputStream opportunities, InputStream touches) throws IOException {
        this.opportunities = new BinaryCopyReader(opportunities, 8);
        this.touches = new BinaryCopyReader(touches, 9);
        opportunityAccount = this.opportunities.nextRow() ? this.opportunities.text() : null;
        touchAccount = this.touches.nextRow() ? this.touches.text() : null;
    }

    /** The filter keeping the accounts of one partition; none for a single one (it would only hide row counts from the planner). */
    private static String partitionFilter(String column, int partition, int partitions) {
        return partitions == 1 ? "" : " and " + RollupRepository.PARTITION_OF.formatted(column, partitions) + " = " + partition;
    }

    /** COPY takes no parameters: the workspace goes in as a literal. */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String opportunitiesSql(String workspace, int partition, int partitions) {
        return """
                copy (select coalesce(o.account_id, '') collate "C" as account_key, o.id, o.created_at, o.closed_at,
                             o.lead_created_at, o.amount::text, o.currency, o.status
                      from journey_opportunity o
                      where o.workspace_id = %s%s
                      order by 1, o.id collate "C") to stdout (format binary)"""
                .formatted(literal(workspace), partitionFilter("o.account_id", partition, partitions));
    }

    static String touchesSql(String workspace, int partition, int partitions) {
        return """
                copy (select m.account_id collate "C", t.id, t.occurred_at, t.type, t.channel, t.source, t.medium,
                             t.campaign, t.content
                      from touch t
                      cross join lateral unnest(t.identifiers) as i(identifier)
                      join membership m on m.workspace_id = t.workspace_id and m.identifier = i.identifier
                      where t.workspace_id = %1$s and m.account_id is not null%2$s
                        and m.account_id in (select account_id from opportunity where workspace_id = %1$s)
                      order by 1) to stdout (format binary)"""
                .formatted(literal(workspace), partitionFilter("m.account_id", partition, partitions));
    }

    /**
     * The next account with opportunities, with its touches (each once: a touch reached through
     * several identifiers of the account is deduplicated by id), or null at the end.
     */
    AccountState next() throws IOException {
        if (opportunityAccount == null) {
            return null;
        }
        String key = opportunityAccount;
        String accountId = key.isEmpty() ? null : key;
        List<Opportunity> opps = new ArrayList<>(4);
        while (key.equals(opportunityAccount)) {
            String id = opportunities.text();
            Instant created = opportunities.instant();
            Instant closed = opportunities.instant();
            Instant lead = opportunities.instant();
            String amount = opportunities.text();
            String currency = opportunities.sharedText();
            String status = opportunities.sharedText();
            opps.add(new Opportunity(id, accountId, amount == null ? null : new BigDecimal(amount), currency, created, status,
                    closed, lead, Set.of()));
            opportunityAccount = opportunities.nextRow() ? opportunities.text() : null;
        }
        while (touchAccount != null && Journey.compareByCodePoint(touchAccount, key) < 0) {
            touchAccount = touches.nextRow() ? touches.text() : null; // an account without opportunities here
        }
        List<TouchRow> accountTouches = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (key.equals(touchAccount)) {
            String id = touches.text();
            Instant occurred = touches.instant();
            if (seen.add(id)) {
                accountTouches.add(new TouchRow(id, occurred, touches.sharedText(), touches.sharedText(),
                        touches.sharedText(), touches.sharedText(), touches.sharedText(), touches.sharedText(), Set.of()));
            }
            touchAccount = touches.nextRow() ? touches.text() : null;
        }
        return new AccountState(accountId, opps, accountTouches);
    }

    @Override
    public void close() throws IOException {
        try {
            opportunities.close();
        } finally {
            touches.close();
        }
    }
}
