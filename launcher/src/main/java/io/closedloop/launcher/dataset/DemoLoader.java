package io.closedloop.launcher.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads a dataset into a running system through ingestion's public APIs, the way a customer's
 * systems would: visits as Segment batches with the workspace's write key; accounts, contacts,
 * opportunities (with stage history and contact roles), revenue and spend through ingestion's
 * GraphQL upserts with an {@code ingest} token. Safe to repeat: Segment messages are deduplicated by
 * message id and upserts of unchanged objects change nothing.
 */
public final class DemoLoader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 100;
    /** Concurrent Segment senders of {@link #sendVisits}. */
    private static final int SENDERS = 4;
    /** Items per GraphQL upsert (ingestion takes at most 10,000). */
    private static final int UPSERT_BATCH = 1_000;

    // HTTP/1.1: the JDK client's h2c upgrade now and then misreads a large answer as HTTP/2 frames.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String ingestionUrl;
    private final String writeKey;

    public DemoLoader(String ingestionUrl, String writeKey) {
        this.ingestionUrl = ingestionUrl;
        this.writeKey = writeKey;
    }

    /** What {@link #load} sent. */
    /** What was loaded, and how long each part of the load took (in the order of the load). */
    public record Loaded(long messages, long accounts, long contacts, long opportunities, long invoices, long spendRows,
                         Map<String, Duration> took) {
    }

    /**
     * Loads the whole dataset: CRM accounts and contacts first (so identity can tie emails to CRM
     * accounts as visitors identify), then the visits, then opportunities, revenue and spend.
     */
    public Loaded load(Dataset dataset, String ingestToken) throws IOException, InterruptedException {
        Upserts upserts = new Upserts(ingestToken);
        Map<String, Duration> took = new LinkedHashMap<>();
        long[] mark = {System.nanoTime()};
        long[] counts = new long[4];
        // Rates first: amounts in euros are converted when they are upserted.
        for (Dataset.ExchangeRate rate : dataset.exchangeRates()) {
            upserts.add("importExchangeRates", "rates", "ExchangeRateInput",
                    Map.of("date", rate.date().toString(), "currency", rate.currency(), "rate", rate.rate()));
        }
        upserts.flush();
        took(took, mark, "exchange rates");
        forEachAccount(dataset, data -> {
            upserts.add("upsertAccounts", "accounts", "AccountInput", account(data.account()));
            counts[0]++;
        });
        upserts.flush();
        took(took, mark, "accounts");
        forEachAccount(dataset, data -> {
            for (Dataset.Contact contact : data.contacts()) {
                upserts.add("upsertContacts", "contacts", "ContactInput", contact(contact));
                counts[1]++;
            }
        });
        upserts.flush();
        took(took, mark, "contacts");
        long messages = sendVisits(dataset);
        took(took, mark, "visits (Segment)");
        forEachAccount(dataset, data -> {
            for (Dataset.Opportunity opportunity : data.opportunities()) {
                upserts.add("upsertOpportunities", "opportunities", "OpportunityInput", opportunity(opportunity));
                counts[2]++;
            }
        });
        upserts.flush();
        took(took, mark, "opportunities");
        forEachAccount(dataset, data -> {
            for (Dataset.Invoice invoice : data.invoices()) {
                upserts.add("upsertRevenue", "revenue", "RevenueInput", Map.of("id", invoice.id(), "accountId", invoice.accountId(),
                        "opportunityId", invoice.opportunityId(), "amount", decimal(invoice.amountCents()), "currency", invoice.currency(),
                        "occurredAt", invoice.occurredAt().toString()));
                counts[3]++;
            }
        });
        upserts.flush();
        took(took, mark, "revenue");
        // A deal restated after it was won: the CRM sends it again with its new amount and close date.
        forEachAccount(dataset, data -> {
            for (Dataset.Opportunity opportunity : data.opportunities()) {
                if (opportunity.restatement() != null) {
                    upserts.add("upsertOpportunities", "opportunities", "OpportunityInput", restated(opportunity));
                }
            }
        });
        upserts.flush();
        took(took, mark, "restatements");
        List<Dataset.Spend> spend = dataset.spend();
        for (Dataset.Spend s : spend) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("date", s.date().toString());
            item.put("channel", s.source().channel());
            item.put("source", s.source().source());
            item.put("medium", s.source().medium());
            item.put("campaign", s.source().campaign());
            item.put("amount", decimal(s.amountCents()));
            upserts.add("upsertSpend", "spend", "SpendInput", item);
        }
        upserts.flush();
        took(took, mark, "spend");
        return new Loaded(messages, counts[0], counts[1], counts[2], counts[3], spend.size(), took);
    }

    private static void took(Map<String, Duration> took, long[] mark, String part) {
        long now = System.nanoTime();
        took.put(part, Duration.ofNanos(now - mark[0]));
        mark[0] = now;
    }

    private static Map<String, Object> account(Dataset.Account a) {
        return Map.of("id", a.id(), "name", a.name(), "domains", List.of(a.domain()), "industry", a.industry(),
                "createdAt", a.createdAt().toString());
    }

    private static Map<String, Object> contact(Dataset.Contact c) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", c.id());
        item.put("email", c.email());
        item.put("accountId", c.accountId());
        item.put("createdAt", c.createdAt().toString());
        if (c.leadCreatedAt() != null) {
            item.put("leadCreatedAt", c.leadCreatedAt().toString());
        }
        return item;
    }

    private static Map<String, Object> opportunity(Dataset.Opportunity o) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", o.id());
        item.put("accountId", o.accountId());
        item.put("name", o.name());
        item.put("amount", decimal(o.amountCents()));
        item.put("currency", o.currency());
        item.put("createdAt", o.createdAt().toString());
        item.put("stage", o.stage());
        item.put("status", o.status());
        if (o.closedAt() != null) {
            item.put("closedAt", o.closedAt().toString());
        }
        List<Map<String, Object>> roles = new ArrayList<>();
        for (int i = 0; i < o.contactIds().size(); i++) {
            roles.add(Map.of("contactId", o.contactIds().get(i), "role", o.roles().get(i)));
        }
        item.put("contactRoles", roles);
        item.put("stageHistory", o.stageHistory().stream()
                .map(h -> Map.of("stage", h.stage(), "enteredAt", h.enteredAt().toString())).toList());
        return item;
    }

    /** The opportunity as the CRM sends it after the restatement: new amount and close date, the change in its stage history. */
    private static Map<String, Object> restated(Dataset.Opportunity o) {
        Map<String, Object> item = opportunity(o);
        item.put("amount", decimal(o.restatement().amountCents()));
        item.put("closedAt", o.restatement().closedAt().toString());
        List<Map<String, Object>> history = new ArrayList<>(o.stageHistory().stream()
                .map(h -> Map.<String, Object>of("stage", h.stage(), "enteredAt", h.enteredAt().toString())).toList());
        history.add(Map.of("stage", "Closed Won (restated)", "enteredAt", o.restatement().closedAt().toString()));
        item.put("stageHistory", history);
        return item;
    }

    private static String decimal(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    private interface AccountSink {
        void accept(Dataset.AccountData data) throws IOException, InterruptedException;
    }

    /** Streams the accounts again (the dataset is deterministic), letting I/O errors through. */
    private static void forEachAccount(Dataset dataset, AccountSink sink) throws IOException, InterruptedException {
        for (int a = 0; a < dataset.size().accounts(); a++) {
            sink.accept(dataset.account(a));
        }
    }

    /** Collects items of one upsert mutation and sends them in batches; any rejected item fails the load. */
    private final class Upserts {
        private final String token;
        private final List<Object> pending = new ArrayList<>();
        private String mutation;
        private String argument;
        private String type;

        Upserts(String token) {
            this.token = token;
        }

        void add(String mutation, String argument, String type, Object item) throws IOException, InterruptedException {
            if (!mutation.equals(this.mutation)) {
                flush();
                this.mutation = mutation;
                this.argument = argument;
                this.type = type;
            }
            pending.add(item);
            if (pending.size() >= UPSERT_BATCH) {
                flush();
            }
        }

        void flush() throws IOException, InterruptedException {
            if (pending.isEmpty()) {
                return;
            }
            String query = "mutation($items: [" + type + "!]!) { " + mutation + "(" + argument + ": $items) { index id status field error } }";
            ObjectNode body = JSON.createObjectNode();
            body.put("query", query);
            body.putObject("variables").set("items", JSON.valueToTree(pending));
            HttpRequest request = HttpRequest.newBuilder(URI.create(ingestionUrl + "/graphql"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            if (answer == null || answer.hasNonNull("errors")) {
                throw new IOException(mutation + " failed: HTTP " + response.statusCode() + " " + response.body());
            }
            for (JsonNode result : answer.path("data").path(mutation)) {
                if ("REJECTED".equals(result.path("status").asText())) {
                    throw new IOException(mutation + " rejected item " + result.path("id").asText() + ": "
                            + result.path("field").asText() + ": " + result.path("error").asText());
                }
            }
            pending.clear();
        }
    }

    /**
     * Sends every visit of {@code dataset} in batches of 100 messages from {@value #SENDERS} senders at once, as many
     * browsers send; an account's messages all go through one sender, in their order. Returns the number of messages sent;
     * the first failure of any sender stops the sending and is thrown.
     */
    public long sendVisits(Dataset dataset) throws IOException, InterruptedException {
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<BlockingQueue<List<ObjectNode>>> lanes = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            BlockingQueue<List<ObjectNode>> lane = new ArrayBlockingQueue<>(4);
            lanes.add(lane);
            Thread sender = new Thread(() -> {
                try {
                    for (List<ObjectNode> batch = lane.take(); !batch.isEmpty(); batch = lane.take()) {
                        if (failure.get() == null) {
                            try {
                                sent.addAndGet(postBatch(batch));
                            } catch (Throwable e) { // whatever it is, the load stops with it
                                failure.compareAndSet(null, e);
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    failure.compareAndSet(null, e);
                }
            }, "demo-sender-" + i);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        List<List<ObjectNode>> pending = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            pending.add(new ArrayList<>(BATCH + 2));
        }
        try {
            for (int a = 0; a < dataset.size().accounts() && failure.get() == null; a++) {
                Dataset.AccountData data = dataset.account(a);
                int lane = a % SENDERS;
                List<ObjectNode> messages = pending.get(lane);
                for (Dataset.Visit visit : data.visits()) {
                    messages.addAll(SegmentMessages.of(visit, data.account().domain()));
                }
                while (messages.size() >= BATCH) {
                    send(lanes.get(lane), senders.get(lane), new ArrayList<>(messages.subList(0, BATCH)));
                    messages.subList(0, BATCH).clear();
                }
            }
            for (int i = 0; i < SENDERS && failure.get() == null; i++) {
                if (!pending.get(i).isEmpty()) {
                    send(lanes.get(i), senders.get(i), pending.get(i));
                }
            }
            for (int i = 0; i < SENDERS; i++) {
                send(lanes.get(i), senders.get(i), List.of()); // the end of the lane
            }
            for (Thread sender : senders) {
                sender.join();
            }
        } finally {
            senders.forEach(Thread::interrupt); // a no-op once they ended; else (interrupted, failed) they stop
        }
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof InterruptedException interrupted) {
            throw interrupted;
        }
        if (e != null) {
            throw new IOException("sending visits failed: " + e, e);
        }
        return sent.get();
    }

    /** Puts a batch on a sender's lane, waiting while the lane is full and its sender alive (a sender that ended takes none). */
    private static void send(BlockingQueue<List<ObjectNode>> lane, Thread sender, List<ObjectNode> batch) throws InterruptedException {
        while (!lane.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (!sender.isAlive()) {
                return;
            }
        }
    }

    private int postBatch(List<ObjectNode> messages) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode batch = body.putArray("batch");
        messages.forEach(batch::add);
        String auth = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(ingestionUrl + "/v1/batch"))
                .header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        // Over the workspace's rate ingestion answers 429 with Retry-After; tracking libraries wait and resend, so do we.
        for (int attempt = 0; response.statusCode() == 429 && attempt < 20; attempt++) {
            Thread.sleep(1000L * Math.max(1, Long.parseLong(response.headers().firstValue("Retry-After").orElse("1").trim())));
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() != 200) {
            throw new IOException("ingestion refused a batch: HTTP " + response.statusCode() + " " + response.body());
        }
        return messages.size();
    }
}
