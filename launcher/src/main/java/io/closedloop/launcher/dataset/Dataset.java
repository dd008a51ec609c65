package io.closedloop.launcher.dataset;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The one realistic B2B dataset every benchmark and the demo use (DESIGN §9 "Test infrastructure"), with a known truth
 * planted in it and the mess real data has (README "The demo's story"). Deterministic for a seed; generated account by
 * account so that millions of touches stream in bounded memory.
 *
 * <p>The truth: buying accounts are reached first through paid social, attend webinars (events: small and the most
 * profitable), and come back through paid search right before they convert; accounts that never buy see mostly display
 * (high volume, poor conversion) and video (spend and no pipeline at all). So ROI ranks events first and video last, and
 * first touch and last touch disagree about paid social and paid search.
 *
 * <p>The mess: buying committees of 1 to 7 contacts, some on free-mail addresses; accounts whose visitors never identify;
 * opportunities without contact roles; a shared office cookie that identifies as dozens of employees (the explosion
 * guard quarantines it); 10–20 % of paid touches with missing or malformed UTMs or a click id alone; one campaign spelled
 * three ways; direct visits right after an ad click; lost and open deals, expansions and renewals after the first win, a
 * refund, a deal restated after it was won, and customers billed in euros.
 */
public final class Dataset {

    /** A traffic source: UTMs (or a referrer) as a tracking library would report them; the campaign is one of its flights. */
    public record Source(String channel, String source, String medium, String campaign, String referrer) {

        Source withCampaign(String name) {
            return new Source(channel, source, medium, name, referrer);
        }

        boolean paid() {
            return campaign != null;
        }
    }

    /** The source families; a paid one runs many campaigns ({@link #campaigns}). */
    public static final List<Source> SOURCES = List.of(
            new Source("paid_search", "google", "cpc", "search", null),
            new Source("paid_search", "bing", "cpc", "bing-search", null),
            new Source("paid_social", "linkedin", "paid_social", "abm", null),
            new Source("paid_social", "facebook", "cpc", "retargeting", null),
            new Source("organic_search", null, null, null, "https://www.google.com/"),
            new Source("organic_social", null, null, null, "https://www.linkedin.com/"),
            new Source("email", "newsletter", "email", "digest", null),
            new Source("referral", null, null, null, "https://www.g2.com/products/acme"),
            new Source("display", "doubleclick", "display", "awareness", null),
            new Source("affiliates", "partnerstack", "affiliate", "partners", null),
            new Source("video", "youtube", "video", "product-tour", null),
            new Source("direct", null, null, null, null),
            new Source("events", "on24", "webinar", "webinar", null));

    private static final int GOOGLE = 0, LINKEDIN = 2, FACEBOOK = 3, DIRECT = 11, EVENTS = 12;

    /** Daily spend of each family at 100 accounts, in cents (index as {@link #SOURCES}; 0 = unpaid, or a newsletter). */
    private static final long[] DAILY_BUDGET_CENTS = {6_000, 1_500, 5_000, 2_000, 0, 0, 0, 0, 22_000, 1_500, 8_000, 0, 400};

    /** Where a touch falls in a journey, and whether the account ever buys: the channel weights of each (index as SOURCES). */
    private static final double[] BUYER_FIRST = {6, 2, 40, 8, 14, 4, 4, 10, 6, 4, 0, 2, 0};
    private static final double[] BUYER_MIDDLE = {8, 2, 6, 6, 14, 8, 18, 5, 3, 3, 0, 12, 0};
    private static final double[] BUYER_LAST = {55, 5, 2, 2, 10, 0, 12, 2, 0, 0, 0, 12, 0};
    private static final double[] NON_BUYER = {4, 1, 10, 6, 10, 4, 5, 2, 36, 3, 15, 4, 0};

    /** How the UTMs of a paid touch reach us. */
    public enum Tracking {
        CLEAN,
        /** utm_source without utm_medium. */
        NO_MEDIUM,
        /** utm_medium "(not set)". */
        MALFORMED,
        /** A click id (gclid, fbclid, li_fat_id) and no UTMs. */
        CLICK_ID_ONLY
    }

    /** Configuration of a generated dataset; contacts and touches per contact are averages. */
    public record Size(int accounts, int contactsPerAccount, int touchesPerContact, double opportunityShare) {
        /** The demo: 200 accounts, every report has a story to tell. */
        public static final Size DEMO = new Size(200, 4, 8, 0.5);
        /** The benchmark scale of the issues: 25k accounts, ~100k contacts, ~1M touches, ~50k opportunities. */
        public static final Size BENCHMARK = new Size(25_000, 4, 10, 2.0);
    }

    public record Account(String id, String name, String domain, String industry, Instant createdAt) {
    }

    public record Contact(String id, String accountId, String email, String anonymousId, Instant createdAt, Instant leadCreatedAt) {
    }

    /** A page view (or, for a form fill, a track call "Form Submitted" with the email in traits). */
    public record Visit(String messageId, String anonymousId, String email, Instant at, Source source, boolean formFill, String path,
                        String content, Tracking tracking) {
    }

    public record StageChange(String stage, Instant enteredAt) {
    }

    /** What a won deal was changed to after it was won (amount and close date), and when the CRM said so. */
    public record Restatement(long amountCents, Instant closedAt) {
    }

    /**
     * An opportunity; {@code contactIds} and {@code roles} go together (empty: no contact roles); amounts are in
     * {@code currency}; {@code restatement} is null unless the deal is restated after it was won.
     */
    public record Opportunity(String id, String accountId, String name, long amountCents, Instant createdAt, String status,
                              String stage, Instant closedAt, List<String> contactIds, List<StageChange> stageHistory,
                              List<String> roles, String currency, Restatement restatement) {
    }

    /** An invoice or payment; a refund has a negative amount. */
    public record Invoice(String id, String accountId, String opportunityId, long amountCents, Instant occurredAt, String currency) {
    }

    public record Spend(LocalDate date, Source source, long amountCents) {
    }

    /** 1 unit of {@code currency} = {@code rate} US dollars on {@code date}. */
    public record ExchangeRate(LocalDate date, String currency, String rate) {
    }

    /** Everything generated for one account. */
    public record AccountData(Account account, List<Contact> contacts, List<Visit> visits, List<Opportunity> opportunities,
                              List<Invoice> invoices) {
    }

    private static final String[] INDUSTRIES = {"Software", "Manufacturing", "Finance", "Healthcare", "Retail", "Logistics"};
    private static final String[] PATHS = {"/", "/pricing", "/product", "/blog/attribution-101", "/customers", "/demo",
            "/integrations", "/security", "/blog/mta-vs-mmm", "/webinars"};
    private static final String[] TOPICS = {"attribution", "pipeline", "revops", "abm", "forecasting", "data-quality", "roi",
            "spring-launch", "benchmarks", "cfo"};
    private static final String[] ROLES = {"Decision Maker", "Champion", "Economic Buyer", "Technical Evaluator", "Influencer"};
    private static final String[] FREE_MAIL = {"gmail.com", "outlook.com", "yahoo.com"};
    private static final long DAY = 86_400;
    private static final int FLIGHT_DAYS = 45;
    /** Employees identifying on the shared office cookie: more than the explosion guard's default limit (50). */
    public static final int SHARED_COOKIE_EMPLOYEES = 60;
    public static final String SHARED_COOKIE = "office-kiosk-cookie";

    private final long seed;
    private final Size size;
    private final Instant start;
    private final int days;
    private final int campaignsPerFamily;

    /**
     * @param start the first day of activity; touches, opportunities and spend fall in the {@code days} after it
     */
    public Dataset(long seed, Size size, Instant start, int days) {
        this.seed = seed;
        this.size = size;
        this.start = start;
        this.days = days;
        // Hundreds of campaigns at demo size, thousands at benchmark size.
        this.campaignsPerFamily = Math.min(1_000, Math.max(20, size.accounts() / 5));
    }

    public Size size() {
        return size;
    }

    /** The id of the account whose deal is restated after it was won. */
    public static String restatedAccount() {
        return "acc-000002";
    }

    /** The id of the account that gets a refund. */
    public static String refundedAccount() {
        return "acc-000001";
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
        // Accounts 1 and 2 carry the refund and the restated deal, so they buy and win.
        double buyerShare = Math.min(0.7, 0.35 + size.opportunityShare() * 0.175);
        boolean buyer = a == 1 || a == 2 || random.nextDouble() < buyerShare;
        boolean anonymousOnly = !buyer && random.nextDouble() < 0.15;
        boolean webinarAccount = buyer && random.nextDouble() < 0.5;
        String currency = a % 7 == 3 ? "EUR" : "USD";

        List<Contact> contacts = new ArrayList<>();
        List<Visit> visits = new ArrayList<>();
        int contactCount = anonymousOnly ? 2 : 1 + random.nextInt(Math.max(1, 2 * size.contactsPerAccount() - 1));
        // Buyers' journeys fall in the first 80 % of the period so that deals can follow them.
        double window = buyer ? 0.8 : 0.95;
        Instant accountFirst = start.plusSeconds((long) (random.nextDouble() * 0.5 * window * days * DAY));
        Instant lastVisit = accountFirst;
        for (int c = 0; c < contactCount; c++) {
            String contactId = accountId + "-c" + c;
            String anonymousId = "anon-" + a + "-" + c;
            String email = random.nextDouble() < 0.1 ? "person" + a + "." + c + "@" + FREE_MAIL[random.nextInt(FREE_MAIL.length)]
                    : "person" + c + "@" + domain;
            Instant first = accountFirst.plusSeconds((long) (random.nextDouble() * 20 * DAY));
            Instant at = first;
            Instant lead = null;
            int touches = Math.max(2, size.touchesPerContact() - 3 + random.nextInt(7));
            for (int t = 0; t < touches; t++) {
                double[] weights = !buyer ? NON_BUYER : c == 0 && t == 0 ? BUYER_FIRST : t == touches - 1 ? BUYER_LAST : BUYER_MIDDLE;
                int family = pick(random, weights);
                if (family == EVENTS || (webinarAccount && t == 1 + touches / 3)) {
                    family = webinarAccount ? EVENTS : DIRECT;
                }
                boolean formFill = !anonymousOnly && t == touches / 2;
                if (formFill) {
                    lead = at;
                }
                String messageId = "msg-" + a + "-" + c + "-" + t;
                Visit visit = visit(random, messageId, anonymousId, formFill ? email : null, at, family, formFill);
                visits.add(visit);
                if (visit.source().paid() && random.nextDouble() < 0.15) {
                    // Back on the site twenty minutes after the ad click, by typing the address: direct.
                    visits.add(new Visit(messageId + "-back", anonymousId, null, at.plusSeconds(1_200), SOURCES.get(DIRECT), false,
                            PATHS[random.nextInt(PATHS.length)], null, Tracking.CLEAN));
                }
                if (at.isAfter(lastVisit)) {
                    lastVisit = at;
                }
                at = at.plusSeconds(3_600 + (long) (random.nextDouble() * 4 * DAY));
            }
            if (!anonymousOnly) {
                contacts.add(new Contact(contactId, accountId, email, anonymousId, first, lead));
            }
        }
        if (a == 0) {
            // One office computer, one cookie, dozens of employees filling forms on it: the explosion guard's case.
            for (int e = 0; e < SHARED_COOKIE_EMPLOYEES; e++) {
                visits.add(new Visit("msg-kiosk-" + e, SHARED_COOKIE, "employee" + e + "@" + domain,
                        accountFirst.plusSeconds(e * 3_600L), SOURCES.get(DIRECT), true, "/demo", null, Tracking.CLEAN));
            }
        }

        List<Opportunity> opportunities = new ArrayList<>();
        List<Invoice> invoices = new ArrayList<>();
        if (buyer && !contacts.isEmpty()) {
            int deals = Math.max(1, (int) Math.round(size.opportunityShare() / buyerShare * 0.95 * (0.5 + random.nextDouble())));
            Instant created = lastVisit.plusSeconds(DAY + (long) (random.nextDouble() * 4 * DAY));
            Opportunity firstWin = null;
            for (int o = 0; o < deals; o++) {
                double winRate = webinarAccount ? 0.7 : 0.3;
                String status = a == 1 || a == 2 ? "WON" : random.nextDouble() < winRate ? "WON" : random.nextDouble() < 0.6 ? "LOST" : "OPEN";
                long amount = (5_000 + random.nextInt(95_000)) * 100L;
                Opportunity opportunity = opportunity(random, accountId + "-o" + o, account, contacts, amount, created, status,
                        currency, account.name() + " new business " + o, a == 2 && o == 0);
                opportunities.add(opportunity);
                invoices.addAll(invoices(opportunity, a == 1 && o == 0));
                if (firstWin == null && "WON".equals(opportunity.status())) {
                    firstWin = opportunity;
                }
                created = created.plusSeconds((long) (20 + random.nextDouble() * 60) * DAY);
            }
            if (firstWin != null) {
                // Customers grow: an expansion some months after the first win and a renewal a year after it.
                Instant won = firstWin.closedAt();
                Instant expansion = won.plusSeconds((long) (120 + random.nextDouble() * 120) * DAY);
                Instant renewal = won.plusSeconds(365 * DAY);
                if (random.nextDouble() < 0.6 && expansion.isBefore(end())) {
                    Opportunity o = opportunity(random, accountId + "-x", account, contacts, firstWin.amountCents() * (3 + random.nextInt(4)) / 10,
                            expansion, random.nextDouble() < 0.7 ? "WON" : "LOST", currency, account.name() + " expansion", false);
                    opportunities.add(o);
                    invoices.addAll(invoices(o, false));
                }
                if (renewal.isBefore(end())) {
                    Opportunity o = opportunity(random, accountId + "-r", account, contacts, firstWin.amountCents(), renewal,
                            random.nextDouble() < 0.85 ? "WON" : "LOST", currency, account.name() + " renewal", false);
                    opportunities.add(o);
                    invoices.addAll(invoices(o, false));
                }
            }
        }
        return new AccountData(account, contacts, visits, opportunities, invoices);
    }

    private Instant end() {
        return start.plusSeconds(days * DAY);
    }

    private Visit visit(SplittableRandom random, String messageId, String anonymousId, String email, Instant at, int family,
                        boolean formFill) {
        Source source = SOURCES.get(family);
        String content = null;
        Tracking tracking = Tracking.CLEAN;
        if (source.paid()) {
            source = source.withCampaign(campaignAt(random, family, at));
            // Each campaign runs its own creatives: hundreds of contents at demo size, thousands at benchmark size.
            content = source.campaign() + "-" + (random.nextBoolean() ? "image" : "text") + "-v" + (1 + random.nextInt(3));
            double mess = random.nextDouble();
            tracking = mess < 0.06 ? Tracking.NO_MEDIUM : mess < 0.10 ? Tracking.MALFORMED
                    : mess < 0.15 && (family == GOOGLE || family == FACEBOOK || family == LINKEDIN) ? Tracking.CLICK_ID_ONLY : Tracking.CLEAN;
        }
        return new Visit(messageId, anonymousId, email, at, source, formFill, PATHS[random.nextInt(PATHS.length)], content, tracking);
    }

    /** One of the family's campaigns in flight on the visit's day. */
    private String campaignAt(SplittableRandom random, int family, Instant at) {
        int day = (int) Math.max(0, Math.min(days - 1, (at.getEpochSecond() - start.getEpochSecond()) / DAY));
        int firstActive = Math.max(0, (int) ((long) (day - FLIGHT_DAYS) * campaignsPerFamily / days) + 1);
        int lastActive = Math.min(campaignsPerFamily - 1, (int) ((long) day * campaignsPerFamily / days));
        int c = firstActive > lastActive ? lastActive : firstActive + random.nextInt(lastActive - firstActive + 1);
        return campaignName(family, c);
    }

    private static String campaignName(int family, int c) {
        return SOURCES.get(family).campaign() + "-" + TOPICS[c % TOPICS.length] + "-" + (c / TOPICS.length + 1);
    }

    /** The campaign spelled three ways by different people's links (ingestion normalizes case, not separators). */
    public static String spelling(String campaign, int variant) {
        if (!campaign.contains("spring-launch") || variant == 0) {
            return campaign;
        }
        return variant == 1 ? campaign.replace('-', '_') : campaign.replace("spring-launch", "Spring Launch");
    }

    private Opportunity opportunity(SplittableRandom random, String id, Account account, List<Contact> contacts, long amount,
                                    Instant created, String status, String currency, String name, boolean restated) {
        Instant closed = "OPEN".equals(status) ? null : created.plusSeconds((long) (10 + random.nextDouble() * 80) * DAY);
        if (closed != null && closed.isAfter(end())) {
            status = "OPEN";
            closed = null;
        }
        List<StageChange> history = new ArrayList<>();
        history.add(new StageChange("Discovery", created));
        history.add(new StageChange("Proposal", created.plusSeconds(7 * DAY)));
        String stage = switch (status) {
            case "WON" -> "Closed Won";
            case "LOST" -> "Closed Lost";
            default -> "Proposal";
        };
        if (closed != null) {
            history.add(new StageChange(stage, closed.isBefore(created.plusSeconds(7 * DAY)) ? created.plusSeconds(7 * DAY) : closed));
            closed = history.get(2).enteredAt();
        }
        List<String> contactIds = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        if (random.nextDouble() >= 0.12) { // some deals have no contact roles
            for (Contact contact : contacts) {
                if (random.nextDouble() < 0.6 || contactIds.isEmpty()) {
                    contactIds.add(contact.id());
                    roles.add(ROLES[Math.min(ROLES.length - 1, contactIds.size() - 1)]);
                }
            }
        }
        Restatement restatement = restated && closed != null ? new Restatement(amount * 12 / 10, closed.plusSeconds(10 * DAY)) : null;
        return new Opportunity(id, account.id(), name, amount, created, status, stage, closed, contactIds, history, roles, currency,
                restatement);
    }

    /** A won deal's three monthly invoices (of its restated amount when restated), and a refund of the first when asked. */
    private List<Invoice> invoices(Opportunity o, boolean refund) {
        List<Invoice> out = new ArrayList<>();
        if (!"WON".equals(o.status())) {
            return out;
        }
        long amount = o.restatement() == null ? o.amountCents() : o.restatement().amountCents();
        Instant closed = o.restatement() == null ? o.closedAt() : o.restatement().closedAt();
        for (int i = 0; i < 3; i++) {
            Instant at = closed.plusSeconds(i * 30 * DAY);
            if (at.isBefore(end().plusSeconds(120 * DAY))) {
                out.add(new Invoice(o.id() + "-inv" + i, o.accountId(), o.id(), amount / 3, at, o.currency()));
            }
        }
        if (refund) {
            out.add(new Invoice(o.id() + "-refund", o.accountId(), o.id(), -(amount / 3), closed.plusSeconds(45 * DAY), o.currency()));
        }
        return out;
    }

    /** Daily spend of every campaign in flight, in US dollars. */
    public List<Spend> spend() {
        SplittableRandom random = new SplittableRandom(seed);
        List<Spend> spend = new ArrayList<>();
        LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
        double scale = Math.max(1, size.accounts() / 100.0);
        double concurrent = Math.max(1.0, (double) campaignsPerFamily * FLIGHT_DAYS / days);
        for (int family = 0; family < SOURCES.size(); family++) {
            if (DAILY_BUDGET_CENTS[family] == 0) {
                continue;
            }
            for (int c = 0; c < campaignsPerFamily; c++) {
                int from = (int) ((long) c * days / campaignsPerFamily);
                for (int d = from; d < Math.min(days, from + FLIGHT_DAYS); d++) {
                    long cents = (long) (DAILY_BUDGET_CENTS[family] * scale / concurrent * (0.7 + 0.6 * random.nextDouble()));
                    spend.add(new Spend(first.plusDays(d), SOURCES.get(family).withCampaign(campaignName(family, c)), Math.max(100, cents)));
                }
            }
        }
        return spend;
    }

    /** The euro's daily rate over the period (and the 120 days after it, when invoices still arrive). */
    public List<ExchangeRate> exchangeRates() {
        List<ExchangeRate> rates = new ArrayList<>();
        LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
        for (int d = -7; d < days + 120; d++) {
            double rate = 1.08 + 0.04 * Math.sin(d / 60.0);
            rates.add(new ExchangeRate(first.plusDays(d), "EUR", String.format(java.util.Locale.ROOT, "%.4f", rate)));
        }
        return rates;
    }

    private static int pick(SplittableRandom random, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
