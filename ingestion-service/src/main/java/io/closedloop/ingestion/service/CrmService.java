package io.closedloop.ingestion.service;

import io.closedloop.ingestion.crm.Conversion;
import io.closedloop.ingestion.crm.Inputs;
import io.closedloop.ingestion.crm.InvalidField;
import io.closedloop.ingestion.crm.ItemResult;
import io.closedloop.ingestion.crm.ItemResult.Status;
import io.closedloop.ingestion.crm.Records;
import io.closedloop.ingestion.crm.Validation;
import io.closedloop.ingestion.privacy.IdentifierHashing;
import io.closedloop.ingestion.privacy.Tombstones;
import io.closedloop.ingestion.repository.CrmRepository;
import io.closedloop.ingestion.repository.ErasureRepository;
import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Upserts of CRM objects, revenue, spend, offline touches and exchange rates by the source
 * system's id (DESIGN §3): each list is checked item by item, then stored in one transaction; the
 * answer has one result per item, in order. Used by the GraphQL mutations and by CSV imports (one
 * call per chunk).
 */
@ApplicationScoped
public class CrmService {

    /** Most items in one call; CSV imports take more. */
    public static final int MAX_ITEMS = 10_000;

    private final Pool pool;
    private final CrmRepository repository;
    private final TaxonomyService taxonomies;
    private final ErasureRepository erasures;
    private final Tombstones tombstones;
    private final PrivacySettingsService privacy;

    public CrmService(Pool pool, CrmRepository repository, TaxonomyService taxonomies, ErasureRepository erasures, Tombstones tombstones,
                      PrivacySettingsService privacy) {
        this.privacy = privacy;
        this.pool = pool;
        this.repository = repository;
        this.taxonomies = taxonomies;
        this.erasures = erasures;
        this.tombstones = tombstones;
    }

    /** Items that passed their checks: index in the request and the record. */
    private record Valid<R>(int index, R record) {
    }

    @FunctionalInterface
    private interface Store<R> {
        Uni<Map<String, Status>> store(SqlConnection c, String reportingCurrency, Map<String, java.math.BigDecimal> rates,
                                       List<Valid<R>> valid, ItemResult[] results);
    }

    public Uni<List<ItemResult>> upsertAccounts(String workspace, List<Inputs.Account> inputs) {
        return run(workspace, inputs, Validation::account, Inputs.Account::id, Records.Account::id, null,
                (c, cur, rates, valid, results) -> repository.upsertAccounts(c, workspace, records(valid)));
    }

    public Uni<List<ItemResult>> upsertContacts(String workspace, List<Inputs.Contact> inputs) {
        return run(workspace, inputs, Validation::contact, Inputs.Contact::id, Records.Contact::id, null,
                (c, cur, rates, given, results) -> privacy.forWrite(c, workspace).map(on -> hashed(given, on, workspace, (h, r) ->
                        new Records.Contact(r.id(), r.email() == null ? null : h.email(r.email()), r.phone() == null ? null : h.phone(r.phone()),
                                r.accountId(), r.createdAt(), r.leadCreatedAt())))
                        .chain(valid -> refuseErased(c, workspace, valid, results, Records.Contact::id, r -> identifiers(
                        "id", Identifier.CONTACT_ID, r.id(), "email", Identifier.EMAIL, r.email(), "phone", Identifier.PHONE, r.phone()))
                        .chain(kept -> kept.isEmpty() ? Uni.createFrom().item(Map.<String, Status>of())
                                : repository.upsertContacts(c, workspace, records(kept)))));
    }

    public Uni<List<ItemResult>> upsertOpportunities(String workspace, List<Inputs.Opportunity> inputs, boolean lenient) {
        return run(workspace, inputs, in -> Validation.opportunity(in, lenient), Inputs.Opportunity::id, Records.Opportunity::id,
                o -> o.amount() == null ? null : moneyKey(o.amount(), o.rateDay()),
                (c, cur, rates, valid, results) -> {
                    List<Valid<Records.Opportunity>> kept = new ArrayList<>();
                    List<Conversion.Converted> amounts = new ArrayList<>();
                    for (Valid<Records.Opportunity> v : valid) {
                        Records.Opportunity o = v.record();
                        try {
                            amounts.add(o.amount() == null ? null : Conversion.convert(o.amount(), o.rateDay(), cur, lookup(rates)));
                            kept.add(v);
                        } catch (InvalidField e) {
                            results[v.index()] = ItemResult.rejected(v.index(), o.id(), e.field(), e.getMessage());
                        }
                    }
                    return kept.isEmpty() ? Uni.createFrom().item(Map.of())
                            : repository.upsertOpportunities(c, workspace, records(kept), amounts);
                });
    }

    public Uni<List<ItemResult>> upsertRevenue(String workspace, List<Inputs.Revenue> inputs, boolean lenient) {
        return run(workspace, inputs, in -> Validation.revenue(in, lenient), Inputs.Revenue::id, Records.Revenue::id,
                r -> moneyKey(r.amount(), r.occurredAt().toLocalDate()),
                (c, cur, rates, valid, results) -> {
                    List<Valid<Records.Revenue>> kept = new ArrayList<>();
                    List<Conversion.Converted> amounts = new ArrayList<>();
                    for (Valid<Records.Revenue> v : valid) {
                        try {
                            amounts.add(Conversion.convert(v.record().amount(), v.record().occurredAt().toLocalDate(), cur, lookup(rates)));
                            kept.add(v);
                        } catch (InvalidField e) {
                            results[v.index()] = ItemResult.rejected(v.index(), v.record().id(), e.field(), e.getMessage());
                        }
                    }
                    return kept.isEmpty() ? Uni.createFrom().item(Map.of()) : repository.upsertRevenue(c, workspace, records(kept), amounts);
                });
    }

    public Uni<List<ItemResult>> upsertSpend(String workspace, List<Inputs.Spend> inputs, boolean lenient) {
        return taxonomies.forWorkspace(workspace).chain(taxonomy -> run(workspace, inputs,
                in -> Validation.spend(in, taxonomy, lenient), in -> null, Records.Spend::id,
                s -> moneyKey(s.amount(), s.date()),
                (c, cur, rates, valid, results) -> {
                    List<Valid<Records.Spend>> kept = new ArrayList<>();
                    List<Conversion.Converted> amounts = new ArrayList<>();
                    for (Valid<Records.Spend> v : valid) {
                        try {
                            amounts.add(Conversion.convert(v.record().amount(), v.record().date(), cur, lookup(rates)));
                            kept.add(v);
                        } catch (InvalidField e) {
                            results[v.index()] = ItemResult.rejected(v.index(), v.record().id(), e.field(), e.getMessage());
                        }
                    }
                    return kept.isEmpty() ? Uni.createFrom().item(Map.of()) : repository.upsertSpend(c, workspace, records(kept), amounts);
                }));
    }

    public Uni<List<ItemResult>> upsertOfflineTouches(String workspace, List<Inputs.OfflineTouch> inputs) {
        return taxonomies.forWorkspace(workspace).chain(taxonomy -> run(workspace, inputs,
                in -> Validation.offlineTouch(in, taxonomy), Inputs.OfflineTouch::id, Records.OfflineTouch::id, null,
                (c, cur, rates, given, results) -> privacy.forWrite(c, workspace).map(on -> hashed(given, on, workspace, (h, r) ->
                        new Records.OfflineTouch(r.id(), r.occurredAt(), r.email() == null ? null : h.email(r.email()),
                                r.phone() == null ? null : h.phone(r.phone()), r.contactId(), r.type(), r.channel(), r.source(), r.medium(),
                                r.campaign(), r.utmValid())))
                        .chain(all -> refuseErased(c, workspace, all, results, Records.OfflineTouch::id, r -> identifiers(
                        "contactId", Identifier.CONTACT_ID, r.contactId(), "email", Identifier.EMAIL, r.email(), "phone", Identifier.PHONE,
                        r.phone())).chain(valid -> repository.segmentTouchIds(c, workspace, valid.stream().map(v -> v.record().id()).toList())
                        .chain(taken -> {
                            List<Valid<Records.OfflineTouch>> kept = new ArrayList<>();
                            for (Valid<Records.OfflineTouch> v : valid) {
                                if (taken.contains(v.record().id())) {
                                    results[v.index()] = ItemResult.rejected(v.index(), v.record().id(), "id",
                                            "already the messageId of a Segment message");
                                } else {
                                    kept.add(v);
                                }
                            }
                            return kept.isEmpty() ? Uni.createFrom().item(Map.<String, Status>of())
                                    : repository.upsertOfflineTouches(c, workspace, records(kept));
                        })))));
    }

    public Uni<List<ItemResult>> importExchangeRates(String workspace, List<Inputs.ExchangeRate> inputs, boolean lenient) {
        return run(workspace, inputs, in -> Validation.exchangeRate(in, lenient), in -> null, Records.ExchangeRate::id, null,
                (c, cur, rates, valid, results) -> {
                    List<Valid<Records.ExchangeRate>> kept = new ArrayList<>();
                    for (Valid<Records.ExchangeRate> v : valid) {
                        if (v.record().currency().equals(cur)) {
                            results[v.index()] = ItemResult.rejected(v.index(), v.record().id(), "currency",
                                    cur + " is the reporting currency itself");
                        } else {
                            kept.add(v);
                        }
                    }
                    return kept.isEmpty() ? Uni.createFrom().item(Map.of()) : repository.upsertExchangeRates(c, workspace, records(kept));
                });
    }

    /**
     * Adds entries to opportunities' stage histories (kept sorted by time, exact repeats dropped). An
     * entry of an opportunity that is not stored is rejected.
     */
    public Uni<List<ItemResult>> addStageChanges(String workspace, List<Inputs.OpportunityStage> inputs) {
        checkSize(inputs == null ? 0 : inputs.size());
        ItemResult[] results = new ItemResult[inputs.size()];
        List<Valid<Records.OpportunityStage>> valid = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Inputs.OpportunityStage in = inputs.get(i);
            try {
                if (in == null) {
                    throw new InvalidField("", "missing");
                }
                valid.add(new Valid<>(i, Validation.opportunityStage(in)));
            } catch (InvalidField e) {
                results[i] = ItemResult.rejected(i, in == null ? null : in.opportunityId(), e.field(), e.getMessage());
            }
        }
        if (valid.isEmpty()) {
            return Uni.createFrom().item(Arrays.asList(results));
        }
        Set<String> ids = new java.util.TreeSet<>();
        valid.forEach(v -> ids.add(v.record().opportunityId()));
        return pool.withTransaction(c -> repository.stageHistories(c, workspace, ids).chain(stored -> {
            Map<String, List<Records.StageChange>> merged = new LinkedHashMap<>();
            for (Valid<Records.OpportunityStage> v : valid) {
                String id = v.record().opportunityId();
                if (!stored.containsKey(id)) {
                    results[v.index()] = ItemResult.rejected(v.index(), id, "opportunityId", "no such opportunity; import opportunities first");
                    continue;
                }
                merged.computeIfAbsent(id, k -> parseHistory(stored.get(k))).add(v.record().change());
            }
            merged.replaceAll((id, history) -> Validation.normalizeHistory(history));
            return merged.isEmpty() ? Uni.createFrom().item(Map.<String, Status>of())
                    : repository.updateStageHistories(c, workspace, merged);
        })).map(statuses -> {
            for (Valid<Records.OpportunityStage> v : valid) {
                if (results[v.index()] == null) {
                    String id = v.record().opportunityId();
                    results[v.index()] = new ItemResult(v.index(), id, statuses.getOrDefault(id, Status.UNCHANGED), null, null);
                }
            }
            return Arrays.asList(results);
        });
    }

    public Uni<String> reportingCurrency(String workspace) {
        return pool.withConnection(c -> repository.reportingCurrency(c, workspace));
    }

    public Uni<String> setReportingCurrency(String workspace, String currency) {
        return pool.withTransaction(c -> repository.setReportingCurrency(c, workspace, currency)).replaceWith(currency);
    }

    private <I, R> Uni<List<ItemResult>> run(String workspace, List<I> inputs, Function<I, R> validate, Function<I, String> rawId,
                                             Function<R, String> idOf, Function<R, String> moneyKey, Store<R> store) {
        checkSize(inputs == null ? 0 : inputs.size());
        ItemResult[] results = new ItemResult[inputs.size()];
        Map<String, Integer> firstIndex = new HashMap<>();
        List<Valid<R>> valid = new ArrayList<>();
        Set<String> moneyKeys = new LinkedHashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            I in = inputs.get(i);
            String id = null;
            try {
                if (in == null) {
                    throw new InvalidField("", "missing");
                }
                id = rawId.apply(in);
                R record = validate.apply(in);
                id = idOf.apply(record);
                Integer first = firstIndex.putIfAbsent(id, i);
                if (first != null) {
                    throw new InvalidField("id", "the same id as item " + first + " of this request");
                }
                valid.add(new Valid<>(i, record));
                if (moneyKey != null) {
                    String key = moneyKey.apply(record);
                    if (key != null) {
                        moneyKeys.add(key);
                    }
                }
            } catch (InvalidField e) {
                results[i] = ItemResult.rejected(i, id, e.field(), e.getMessage());
            }
        }
        if (valid.isEmpty()) {
            return Uni.createFrom().item(Arrays.asList(results));
        }
        // One lock order for every writer: no deadlock between concurrent upserts of overlapping lists.
        valid.sort(Comparator.comparing(v -> idOf.apply(v.record())));
        return pool.withTransaction(c -> repository.reportingCurrency(c, workspace)
                        .chain(currency -> {
                            List<String> needed = moneyKeys.stream().filter(k -> !k.startsWith(currency + "|")).toList();
                            return repository.rates(c, workspace, needed)
                                    .chain(rates -> store.store(c, currency, rates, valid, results));
                        }))
                .map(statuses -> {
                    for (Valid<R> v : valid) {
                        if (results[v.index()] == null) {
                            String id = idOf.apply(v.record());
                            results[v.index()] = new ItemResult(v.index(), id, statuses.getOrDefault(id, Status.UNCHANGED), null, null);
                        }
                    }
                    return Arrays.asList(results);
                });
    }

    /**
     * Items naming an erased identifier are refused, naming the field (DESIGN §6): the CRM may send an erased contact
     * again, and it must not bring the person back. Returns the others.
     */
    private <R> Uni<List<Valid<R>>> refuseErased(SqlConnection c, String workspace, List<Valid<R>> valid, ItemResult[] results,
                                                 Function<R, String> idOf, Function<R, Map<String, Identifier>> identifiersOf) {
        // Each item's fields and their tombstones, hashed once with the workspace's key derived once.
        var hash = tombstones.hasher(workspace);
        List<Map<String, String>> hashesOf = new ArrayList<>(valid.size());
        Set<String> all = new HashSet<>();
        for (Valid<R> v : valid) {
            Map<String, String> hashes = new LinkedHashMap<>();
            identifiersOf.apply(v.record()).forEach((field, id) -> hashes.put(field, hash.apply(id.type(), id.value())));
            hashesOf.add(hashes);
            all.addAll(hashes.values());
        }
        if (all.isEmpty()) {
            return Uni.createFrom().item(valid);
        }
        return erasures.erased(c, workspace, List.copyOf(all)).map(erased -> {
            if (erased.isEmpty()) {
                return valid;
            }
            List<Valid<R>> kept = new ArrayList<>();
            for (int i = 0; i < valid.size(); i++) {
                Valid<R> v = valid.get(i);
                String field = hashesOf.get(i).entrySet().stream().filter(e -> erased.contains(e.getValue())).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
                if (field == null) {
                    kept.add(v);
                } else {
                    results[v.index()] = ItemResult.rejected(v.index(), idOf.apply(v.record()), field,
                            "names an erased person (erasePerson): not stored, so the person is not brought back");
                }
            }
            return kept;
        });
    }

    /** The records with their emails and phones hashed when the workspace's hashIdentifiers setting is on. */
    private <R> List<Valid<R>> hashed(List<Valid<R>> valid, boolean on, String workspace,
                                      java.util.function.BiFunction<IdentifierHashing, R, R> hash) {
        if (!on) {
            return valid;
        }
        IdentifierHashing h = tombstones.hashing(workspace);
        List<Valid<R>> out = new ArrayList<>(valid.size());
        valid.forEach(v -> out.add(new Valid<>(v.index(), hash.apply(h, v.record()))));
        return out;
    }

    /** field → identifier, for the given (field, type, value) triples whose value is present. */
    private static Map<String, Identifier> identifiers(String... triples) {
        Map<String, Identifier> out = new LinkedHashMap<>();
        for (int i = 0; i < triples.length; i += 3) {
            if (triples[i + 2] != null && !triples[i + 2].isBlank()) {
                out.put(triples[i], new Identifier(triples[i + 1], triples[i + 2]));
            }
        }
        return out;
    }

    private static void checkSize(int n) {
        if (n > MAX_ITEMS) {
            throw new IllegalArgumentException("at most " + MAX_ITEMS + " items per call, were " + n + "; import a CSV file for more");
        }
    }

    private static <R> List<R> records(List<Valid<R>> valid) {
        List<R> out = new ArrayList<>(valid.size());
        valid.forEach(v -> out.add(v.record()));
        return out;
    }

    /** "CUR|day" of an amount that needs a rate (its currency is given); null when it is in no particular currency. */
    private static String moneyKey(Records.Money money, LocalDate day) {
        return money.currency() == null ? null : money.currency() + "|" + day;
    }

    private static Conversion.Rates lookup(Map<String, java.math.BigDecimal> rates) {
        return (currency, day) -> rates.get(currency + "|" + day);
    }

    private static List<Records.StageChange> parseHistory(String json) {
        List<Records.StageChange> out = new ArrayList<>();
        if (json != null) {
            JsonArray array = new JsonArray(json);
            for (int i = 0; i < array.size(); i++) {
                JsonObject o = array.getJsonObject(i);
                out.add(new Records.StageChange(o.getString("stage"), OffsetDateTime.parse(o.getString("enteredAt"))));
            }
        }
        return out;
    }

    /** For CSV imports: the taxonomy a chunk is classified with. */
    public Uni<ChannelTaxonomy> taxonomy(String workspace) {
        return taxonomies.forWorkspace(workspace);
    }
}
