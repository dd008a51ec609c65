package io.closedloop.attribution.service;

import io.closedloop.attribution.feeditem.CrmItem;
import io.closedloop.attribution.feeditem.MembershipItem;
import io.closedloop.attribution.feeditem.TouchItem;
import io.closedloop.attribution.repository.RollupRepository;
import io.closedloop.attribution.journey.AccountState;
import io.closedloop.attribution.rollup.CreditRollup;
import io.closedloop.attribution.rollup.DealRow;
import io.closedloop.attribution.rollup.RollupRow;
import io.closedloop.attribution.rollup.RollupState;
import io.closedloop.plumbing.feed.FeedConsumer.PageHandler;
import io.closedloop.plumbing.feed.FeedItem;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the rollups current as feed pages arrive: in the page's transaction, per workspace (in
 * sorted order), it takes a share of the workspace's rollup lock, finds the accounts the page can change
 * (for a membership both its old and new account; for an opportunity or contact likewise) and locks them
 * (finding again until no new one appears, {@link #lockAffected}), computes their journeys' rollup
 * contributions from the tables before the page is applied and again after, and adds the difference to
 * the rollup rows. Pages of one workspace that change different accounts run side by side (the feeds'
 * partitions, on any replica); the rows they add to are written in one order, so they only wait. Journeys are a pure function of an
 * account's stored state, so this is exact up to floating-point rounding; a full recompute
 * resets any drift. While a full recompute builds a new generation, the difference is also
 * added to it for the accounts whose partition has already taken its snapshot.
 * <p>
 * Catch-up mode: a consumer that fetched {@code closedloop.rollups.catch-up-pages} full pages in a
 * row is far behind its producer (an initial load, a backfill, a replay), where one full recompute
 * at the end costs far less than a before/after load per page. It marks the page's workspaces not
 * ready and catching up (reports compute on demand meanwhile); pages of a workspace whose rollups
 * are not ready and not being rebuilt apply without deltas, since nothing reads that generation;
 * and {@code RecomputeService.finishCatchUps} starts the recompute once every consumer is caught up.
 */
@ApplicationScoped
public class IncrementalRollups {

    /** The accounts (and account-less opportunities) a page's items of one workspace can change. */
    record Affected(Set<String> accounts, Set<String> accountlessOpportunities) {
    }

    @FunctionalInterface
    interface AffectedFinder<T> {
        Uni<Affected> find(SqlConnection tx, String workspace, List<T> items);
    }

    private final RollupRepository rollups;
    private final int pageSize;
    private final int catchUpPages;

    /**
     * @param pageSize     the consumers' page size: a page this full means more items are waiting
     * @param catchUpPages full pages in a row after which a consumer is far enough behind for catch-up mode
     */
    public IncrementalRollups(RollupRepository rollups,
                              @ConfigProperty(name = "closedloop.feeds.page-size", defaultValue = "1000") int pageSize,
                              @ConfigProperty(name = "closedloop.rollups.catch-up-pages", defaultValue = "20") int catchUpPages) {
        this.rollups = rollups;
        this.pageSize = pageSize;
        this.catchUpPages = catchUpPages;
    }

    /** A page handler of items read into records (FeedConsumer's handler takes the page as it came). */
    public interface ItemsHandler<T> {
        Uni<Void> apply(SqlConnection tx, List<T> items);
    }

    /** ingestion `touches`: the accounts of the touches' identifiers, before and after (offline touches may change them). */
    public PageHandler touches(ItemsHandler<TouchItem> apply) {
        return around(apply, TouchItem::all, TouchItem::workspace, touch -> identifierKeys(touch.identifiers()), (tx, ws, items) -> {
            Set<String> identifiers = new HashSet<>();
            Set<String> ids = new HashSet<>();
            for (TouchItem touch : items) {
                ids.add(touch.id());
                identifiers.addAll(touch.identifiers());
            }
            return rollups.identifiersOfTouches(tx, ws, ids).chain(stored -> {
                identifiers.addAll(stored);
                return rollups.accountsOfIdentifiers(tx, ws, identifiers);
            }).map(accounts -> new Affected(accounts, Set.of()));
        });
    }

    /** identity `memberships`: the identifier's old account and its new one. */
    public PageHandler memberships(ItemsHandler<MembershipItem> apply) {
        return around(apply, MembershipItem::all, MembershipItem::workspace, m -> identifierKeys(List.of(m.identifier())),
                (tx, ws, items) -> {
            Set<String> identifiers = new HashSet<>();
            Set<String> contacts = new HashSet<>();
            Set<String> accounts = new HashSet<>();
            for (MembershipItem m : items) {
                identifiers.add(m.identifier());
                if (m.contactId() != null) {
                    contacts.add(m.contactId());
                }
                if (m.journeyAccount() != null && !m.removed()) {
                    accounts.add(m.journeyAccount());
                }
            }
            // Opportunities without a CRM account move with their first contact role's membership.
            return rollups.accountsOfIdentifiers(tx, ws, identifiers)
                    .chain(old -> {
                        accounts.addAll(old);
                        return rollups.derivedOpportunities(tx, ws, contacts);
                    })
                    .map(derived -> {
                        Set<String> accountless = new HashSet<>();
                        // Every one of them among the account-less too: the page may take its account away (a removed
                        // contact_id membership); one that keeps an account is not read as account-less.
                        derived.forEach((id, account) -> {
                            accountless.add(id);
                            if (!account.isEmpty()) {
                                accounts.add(account);
                            }
                        });
                        return new Affected(accounts, accountless);
                    });
        });
    }

    /**
     * ingestion `crm`: an opportunity's old and new account; a contact's old and new account and
     * the accounts of opportunities naming it (its lead-creation time moves their LC milestone).
     * Opportunities without an account are affected by their own id.
     */
    public PageHandler crm(ItemsHandler<CrmItem> apply) {
        return around(apply, CrmItem::all, CrmItem::workspace, IncrementalRollups::crmKeys, (tx, ws, items) -> {
            Set<String> opportunityIds = new HashSet<>();
            Set<String> contactIds = new HashSet<>();
            Set<String> accounts = new HashSet<>();
            Set<String> derivedFrom = new HashSet<>();
            for (CrmItem item : items) {
                if (item instanceof CrmItem.Contact c) {
                    contactIds.add(c.id());
                    if (c.accountId() != null) {
                        accounts.add(c.accountId());
                    }
                } else if (item instanceof CrmItem.Opportunity o) {
                    opportunityIds.add(o.id());
                    if (o.accountId() != null) {
                        accounts.add(o.accountId());
                    } else if (!o.contactIds().isEmpty()) {
                        // No CRM account: it takes its first contact role's account (FeedApplyService, V11).
                        derivedFrom.add("contact_id:" + o.contactIds().get(0));
                    }
                }
            }
            if (opportunityIds.isEmpty() && contactIds.isEmpty()) {
                return Uni.createFrom().item(new Affected(Set.of(), Set.of()));
            }
            return rollups.accountsOfOpportunities(tx, ws, opportunityIds)
                    .chain(a -> {
                        accounts.addAll(a);
                        return rollups.accountsOfIdentifiers(tx, ws, derivedFrom);
                    })
                    .chain(a -> {
                        accounts.addAll(a);
                        return rollups.accountsOfContacts(tx, ws, contactIds);
                    })
                    .map(a -> {
                        accounts.addAll(a);
                        return new Affected(accounts, opportunityIds);
                    });
        });
    }

    /**
     * ingestion `erasures`: the accounts of every identifier of the erased persons and of the touches that carry one of
     * them, and the pseudonymous account their B2C opportunities move to.
     */
    public PageHandler erasures(PageHandler apply, ErasureApplyService erasures) {
        return around(apply::apply, page -> page, FeedItem::workspace, item -> identifierKeys(ErasureApplyService.identifiers(item)),
                (tx, ws, items) -> {
            Set<String> identifiers = new HashSet<>();
            Set<String> moved = new HashSet<>();
            items.forEach(item -> {
                identifiers.addAll(ErasureApplyService.identifiers(item));
                if (item.payload().getString("erasureId") != null) {
                    moved.add(ErasureApplyService.erasedAccount(item.payload().getString("erasureId")));
                }
            });
            // The touches that go carry other persons' identifiers too: those persons' accounts lose them as well.
            return erasures.personIdentifiers(tx, ws, identifiers)
                    .chain(all -> rollups.identifiersOfTouchesNaming(tx, ws, all).map(others -> {
                        Set<String> reached = new HashSet<>(all);
                        reached.addAll(others);
                        return reached;
                    }))
                    .chain(all -> rollups.accountsOfIdentifiers(tx, ws, all))
                    .map(accounts -> {
                        Set<String> affected = new HashSet<>(accounts);
                        affected.addAll(moved);
                        return new Affected(affected, Set.of());
                    });
        });
    }

    /**
     * The page handler of a feed: the page read once into records ({@code read}), the rollups of the accounts they
     * affect taken out before {@code apply} and put back after it, per workspace.
     */
    private <T> PageHandler around(ItemsHandler<T> apply, Function<List<FeedItem>, List<T>> read, Function<T, String> workspaceOf,
                                   Function<T, Collection<String>> keysOf, AffectedFinder<T> finder) {
        // One handler per consumer, whose pages come one at a time: full pages of this feed in a row.
        AtomicInteger fullPages = new AtomicInteger();
        return new PageHandler() {
            /** A page without its walk's size (tests): full when it holds a whole page. */
            @Override
            public Uni<Void> apply(SqlConnection tx, List<FeedItem> page) {
                return apply(tx, page, page.size() >= pageSize);
            }

            @Override
            public void passed(boolean full) {
                count(full);
            }

            /** Full pages are counted as they came: items left out when read do not make a page less full. */
            private void count(boolean full) {
                if (full) {
                    fullPages.incrementAndGet();
                } else {
                    fullPages.set(0);
                }
            }

            @Override
            public Uni<Void> apply(SqlConnection tx, List<FeedItem> page, boolean full) {
                count(full);
                boolean farBehind = fullPages.get() >= catchUpPages;
                List<T> items = read.apply(page);
                Map<String, List<T>> byWorkspace = new TreeMap<>();
                for (T item : items) {
                    byWorkspace.computeIfAbsent(workspaceOf.apply(item), w -> new ArrayList<>()).add(item);
                }
                Map<String, Before> before = new HashMap<>();
                Set<String> catchingUp = new HashSet<>();
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (Map.Entry<String, List<T>> e : byWorkspace.entrySet()) {
                    String ws = e.getKey();
                    chain = chain.chain(() -> rollups.lockShared(tx, ws))
                            .chain(() -> rollups.ensureState(tx, ws))
                            .chain(state -> {
                                if (state.building() == null && farBehind && state.ready()) {
                                    catchingUp.add(ws); // marked after the apply, as every page moves the state row last
                                    return Uni.createFrom().voidItem();
                                }
                                if (state.building() == null && !state.ready()) {
                                    return Uni.createFrom().voidItem(); // nothing reads this generation: no delta
                                }
                                // First what the page's items look accounts up by (identifiers, contacts): a page that
                                // would attach them to an account meanwhile waits, or is waited for, whole.
                                java.util.TreeSet<String> keys = new java.util.TreeSet<>();
                                e.getValue().forEach(item -> keys.addAll(keysOf.apply(item)));
                                return rollups.lockAccounts(tx, ws, List.copyOf(keys))
                                        .chain(() -> lockAffected(tx, ws, e.getValue(), finder, new Affected(Set.of(), Set.of())))
                                        .chain(affected -> rollups.load(tx, ws, affected.accounts(), affected.accountlessOpportunities())
                                                .map(states -> {
                                                    before.put(ws, new Before(state, affected, states));
                                                    return null;
                                                }));
                            });
                }
                chain = chain.chain(() -> apply.apply(tx, items));
                for (String ws : byWorkspace.keySet()) {
                    chain = chain.chain(() -> {
                        if (catchingUp.contains(ws)) {
                            Log.infof("feed pages far behind (%d full pages in a row): rollups of workspace %s catch up"
                                    + " with one full recompute once the feeds are consumed", fullPages.get(), ws);
                            return rollups.startCatchUp(tx, ws);
                        }
                        Before b = before.get(ws);
                        if (b == null) {
                            return Uni.createFrom().voidItem();
                        }
                        // What the page changed, found again with its own changes: an account it reaches that it did not
                        // lock (another page attached it meanwhile) fails the page, which is applied again.
                        return finder.find(tx, ws, byWorkspace.get(ws)).chain(reached -> {
                            if (!b.affected().accounts().containsAll(reached.accounts())
                                    || !b.affected().accountlessOpportunities().containsAll(reached.accountlessOpportunities())) {
                                throw new IllegalStateException("workspace " + ws + ": the page reaches accounts another page"
                                        + " changed meanwhile; applied again");
                            }
                            return rollups.load(tx, ws, b.affected().accounts(), b.affected().accountlessOpportunities())
                                    .chain(after -> write(tx, ws, b, after));
                        });
                    });
                }
                return chain;
            }
        };
    }

    private record Before(RollupState state, Affected affected, List<AccountState> accounts) {
    }

    /** The lock keys of identifiers ("type:value"): a page resolving one and a page of its touches exclude each other. */
    private static List<String> identifierKeys(Collection<String> identifiers) {
        return identifiers.stream().map(id -> "identifier:" + id).toList();
    }

    /**
     * A contact's lock key (its account and lead-creation time reach the deals naming it), and an opportunity's contacts'
     * and its first contact's identifier (whose account is the deal's when it names none).
     */
    private static List<String> crmKeys(CrmItem item) {
        if (item instanceof CrmItem.Contact c) {
            return List.of("contact:" + c.id(), "identifier:contact_id:" + c.id());
        }
        if (item instanceof CrmItem.Opportunity o) {
            List<String> keys = new ArrayList<>();
            o.contactIds().forEach(c -> keys.add("contact:" + c));
            if (!o.contactIds().isEmpty()) {
                keys.add("identifier:contact_id:" + o.contactIds().get(0));
            }
            return keys;
        }
        return List.of();
    }

    /**
     * Finds the accounts the items affect and locks them, then finds them again until no new one appears: another page
     * (of another partition, maybe on another replica) may have moved an identifier or a deal between accounts before
     * this one held their locks. Emits every account found (a superset changes nothing: an account the page does not
     * change has the same journeys before and after). Locks taken after the first ones are out of order: a deadlock
     * with another page is possible then, which PostgreSQL breaks by failing one of them, whose page is fetched again.
     */
    private <T> Uni<Affected> lockAffected(SqlConnection tx, String ws, List<T> items, AffectedFinder<T> finder, Affected locked) {
        return finder.find(tx, ws, items).chain(found -> {
            Set<String> accounts = new HashSet<>(locked.accounts());
            Set<String> accountless = new HashSet<>(locked.accountlessOpportunities());
            java.util.TreeSet<String> keys = new java.util.TreeSet<>();
            found.accounts().stream().filter(accounts::add).forEach(account -> keys.add("account:" + account));
            found.accountlessOpportunities().stream().filter(accountless::add).forEach(id -> keys.add("opportunity:" + id));
            Affected all = new Affected(accounts, accountless);
            if (keys.isEmpty()) {
                return Uni.createFrom().item(all);
            }
            return rollups.lockAccounts(tx, ws, List.copyOf(keys)).chain(() -> lockAffected(tx, ws, items, finder, all));
        });
    }

    private Uni<Void> write(SqlConnection tx, String ws, Before before, List<AccountState> after) {
        RollupState state = before.state();
        CreditRollup current = new CreditRollup(state.lookbackDays(), state.halfLifeDays());
        before.accounts().forEach(a -> current.add(a, -1));
        after.forEach(a -> current.add(a, 1));
        List<RollupRow> rows = current.rows();
        List<DealRow> deals = current.dealRows();
        Uni<Void> written = rows.isEmpty() && deals.isEmpty() ? Uni.createFrom().voidItem()
                : rollups.addRows(tx, ws, state.generation(), rows)
                        .chain(() -> rollups.addDeals(tx, ws, state.generation(), deals))
                        .chain(() -> rollups.touchState(tx, ws));
        if (state.building() == null) {
            return written;
        }
        Set<String> candidates = new HashSet<>();
        before.accounts().forEach(a -> candidates.add(a.accountId() == null ? "" : a.accountId()));
        after.forEach(a -> candidates.add(a.accountId() == null ? "" : a.accountId()));
        return written.chain(() -> rollups.startedPartitionAccounts(tx, ws, state.building(), candidates)).chain(started -> {
            CreditRollup building = new CreditRollup(state.buildingLookbackDays(), state.buildingHalfLifeDays());
            before.accounts().stream().filter(a -> started.contains(a.accountId() == null ? "" : a.accountId()))
                    .forEach(a -> building.add(a, -1));
            after.stream().filter(a -> started.contains(a.accountId() == null ? "" : a.accountId()))
                    .forEach(a -> building.add(a, 1));
            return rollups.addRows(tx, ws, state.building(), building.rows())
                    .chain(() -> rollups.addDeals(tx, ws, state.building(), building.dealRows()));
        });
    }
}
