package io.closedloop.launcher.dataset;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The one realistic B2B dataset every benchmark and the demo use (DESIGN §9 "Test infrastructure"):
 * accounts with corporate domains, their contacts, anonymous visitors who browse through a dozen
 * channels and later fill a form, opportunities (won, lost, open) with stage history and contact
 * roles, invoices for won deals, and daily spend per channel and campaign. Deterministic for a
 * seed; generated account by account so that millions of touches stream in bounded memory.
 */
public final class Dataset {

    /** The traffic sources a visit comes from: UTMs (or a referrer) as a tracking library would report them. */
    public record Source(String channel, String source, String medium, String campaign, String referrer) {
    }

    public static final List<Source> SOURCES = List.of(
            new Source("paid_search", "google", "cpc", "brand-search", null),
            new Source("paid_search", "bing", "cpc", "generic-search", null),
            new Source("paid_social", "linkedin", "paid_social", "abm-q1", null),
            new Source("paid_social", "facebook", "cpc", "retargeting", null),
            new Source("organic_search", null, null, null, "https://www.google.com/"),
            new Source("organic_social", null, null, null, "https://www.linkedin.com/"),
            new Source("email", "newsletter", "email", "monthly-digest", null),
            new Source("referral", null, null, null, "https://www.g2.com/products/acme"),
            new Source("display", "doubleclick", "display", "awareness", null),
            new Source("affiliates", "partnerstack", "affiliate", "partners", null),
            new Source("video", "youtube", "video", "product-tour", null),
            new Source("direct", null, null, null, null));

    /** Configuration of a generated dataset. */
    public record Size(int accounts, int contactsPerAccount, int touchesPerContact, double opportunityShare) {
        /** A small dataset for the demo: fast to load, every report has something to show. */
        public static final Size DEMO = new Size(200, 4, 8, 0.5);
        /** The benchmark scale of the issues: 25k accounts, 100k contacts, 1M touches, ~50k opportunities. */
        public static final Size BENCHMARK = new Size(25_000, 4, 10, 2.0);
    }

    public record Account(String id, String name, String domain, String industry, Instant createdAt) {
    }

    public record Contact(String id, String accountId, String email, String anonymousId, Instant createdAt, Instant leadCreatedAt) {
    }

    /** A page view (or, for a form fill, a track call "Form Submitted" with the email in traits). */
    public record Visit(String messageId, String anonymousId, String email, Instant at, Source source, boolean formFill, String path) {
    }

    public record StageChange(String stage, Instant enteredAt) {
    }

    public record Opportunity(String id, String accountId, String name, long amountCents, Instant createdAt, String status,
                              String stage, Instant closedAt, List<String> contactIds, List<StageChange> stageHistory) {
    }

    public record Invoice(String id, String accountId, String opportunityId, long amountCents, Instant occurredAt) {
    }

    public record Spend(LocalDate date, Source source, long amountCents) {
    }

    /** Everything generated for one account. */
    public record AccountData(Account account, List<Contact> contacts, List<Visit> visits, List<Opportunity> opportunities,
                              List<Invoice> invoices) {
    }

    private static final String[] INDUSTRIES = {"Software", "Manufacturing", "Finance", "Healthcare", "Retail", "Logistics"};
    private static final String[] PATHS = {"/", "/pricing", "/product", "/blog/attribution-101", "/customers", "/demo"};
    private static final long DAY = 86_400;

    private final long seed;
    private final Size size;
    private final Instant start;
    private final int days;

    /**
     * @param start the first day of activity; touches, opportunities and spend fall in the {@code days} after it
     */
    public Dataset(long seed, Size size, Instant start, int days) {
        this.seed = seed;
        this.size = size;
        this.start = start;
        this.days = days;
    }

    public Size size() {
        return size;
    }

    /** Generates the accounts one after another, handing each to {@code sink}; nothing is kept. */
    public void forEachAccount(Consumer<AccountData> sink) {
        for (int a = 0; a < size.accounts(); a++) {
            sink.accept(account(a));
        }
    }

    /** The data of account number {@code a} (the same for the same seed, whatever else was generated). */
    public AccountData account(int a) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + a);
        String accountId = String.format("acc-%06d", a);
        String domain = "company" + a + ".example.com";
        Account account = new Account(accountId, "Company " + a, domain, INDUSTRIES[a % INDUSTRIES.length], start);
        List<Contact> contacts = new ArrayList<>();
        List<Visit> visits = new ArrayList<>();
        for (int c = 0; c < size.contactsPerAccount(); c++) {
            String contactId = accountId + "-c" + c;
            String anonymousId = "anon-" + a + "-" + c;
            // Visits spread over the period, biased towards its first half so that deals can follow them.
            Instant first = start.plusSeconds((long) (random.nextDouble() * 0.6 * days * DAY));
            Instant at = first;
            Instant lead = null;
            for (int t = 0; t < size.touchesPerContact(); t++) {
                Source source = SOURCES.get(pickSource(random, t));
                boolean formFill = t == size.touchesPerContact() / 2;
                if (formFill) {
                    lead = at;
                }
                visits.add(new Visit("msg-" + a + "-" + c + "-" + t, anonymousId, formFill ? "person" + c + "@" + domain : null,
                        at, source, formFill, PATHS[random.nextInt(PATHS.length)]));
                at = at.plusSeconds(3_600 + (long) (random.nextDouble() * 5 * DAY));
            }
            contacts.add(new Contact(contactId, accountId, "person" + c + "@" + domain, anonymousId, first, lead));
        }
        List<Opportunity> opportunities = new ArrayList<>();
        List<Invoice> invoices = new ArrayList<>();
        int opportunityCount = (int) size.opportunityShare() + (random.nextDouble() < size.opportunityShare() % 1 ? 1 : 0);
        for (int o = 0; o < opportunityCount; o++) {
            Instant lastTouch = visits.isEmpty() ? start : visits.get(random.nextInt(visits.size())).at();
            Instant created = lastTouch.plusSeconds(DAY + (long) (random.nextDouble() * 20 * DAY));
            long amount = (5_000 + random.nextInt(95_000)) * 100L;
            double outcome = random.nextDouble();
            String status = outcome < 0.35 ? "WON" : outcome < 0.7 ? "LOST" : "OPEN";
            Instant closed = "OPEN".equals(status) ? null : created.plusSeconds((long) (10 + random.nextDouble() * 80) * DAY);
            List<StageChange> history = new ArrayList<>();
            history.add(new StageChange("Discovery", created));
            history.add(new StageChange("Proposal", created.plusSeconds(7 * DAY)));
            String stage = switch (status) {
                case "WON" -> "Closed Won";
                case "LOST" -> "Closed Lost";
                default -> "Proposal";
            };
            if (closed != null) {
                history.add(new StageChange(stage, closed));
            }
            List<String> roles = new ArrayList<>();
            for (Contact contact : contacts) {
                if (random.nextDouble() < 0.6 || roles.isEmpty()) {
                    roles.add(contact.id());
                }
            }
            String opportunityId = accountId + "-o" + o;
            opportunities.add(new Opportunity(opportunityId, accountId, account.name() + " deal " + o, amount, created, status,
                    stage, closed, roles, history));
            if ("WON".equals(status)) {
                for (int i = 0; i < 3; i++) {
                    invoices.add(new Invoice(opportunityId + "-inv" + i, accountId, opportunityId, amount / 3,
                            closed.plusSeconds(i * 30 * DAY)));
                }
            }
        }
        return new AccountData(account, contacts, visits, opportunities, invoices);
    }

    /** Daily spend of every paid source over the period. */
    public List<Spend> spend() {
        SplittableRandom random = new SplittableRandom(seed);
        List<Spend> spend = new ArrayList<>();
        LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
        for (int d = 0; d < days; d++) {
            for (Source source : SOURCES) {
                if (source.campaign() != null) {
                    long scale = Math.max(1, size.accounts() / 100);
                    spend.add(new Spend(first.plusDays(d), source, (long) (scale * (2_000 + random.nextInt(8_000)))));
                }
            }
        }
        return spend;
    }

    /** First touches lean on paid and organic search; later ones on email and direct, as real journeys do. */
    private static int pickSource(SplittableRandom random, int touchIndex) {
        if (touchIndex == 0 && random.nextDouble() < 0.5) {
            return random.nextInt(5);
        }
        return random.nextInt(SOURCES.size());
    }
}
