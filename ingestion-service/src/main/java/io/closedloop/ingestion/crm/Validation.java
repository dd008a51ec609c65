package io.closedloop.ingestion.crm;

import io.closedloop.ingestion.crm.Records.Money;
import io.closedloop.ingestion.segment.Identifier;
import io.closedloop.ingestion.segment.TouchTypes;
import io.closedloop.ingestion.taxonomy.ChannelRule;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.ingestion.taxonomy.Classification;
import io.closedloop.ingestion.taxonomy.TouchSignals;
import io.closedloop.ingestion.taxonomy.Utm;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns inputs into checked records (DESIGN §3 "CRM, revenue, spend, offline touches"); the first
 * problem is thrown as {@link InvalidField}. {@code lenient} is for CSV exports: amounts such as
 * "$1,250.00" and more date formats.
 */
public final class Validation {

    public static final int MAX_LIST = 200;
    public static final Set<String> OFFLINE_TYPES = Set.of("FORM_FILL", "EMAIL_CLICK", "AD_CLICK", "WEBINAR", "EVENT", "CALL",
            "DIRECT_MAIL", "SALES_OUTREACH", "HOW_DID_YOU_HEAR", "TRACK");

    private Validation() {
    }

    public static Records.Account account(Inputs.Account in) {
        String id = Fields.id(in.id(), "id");
        Set<String> domains = new LinkedHashSet<>();
        if (in.domains() != null) {
            if (in.domains().size() > 50) {
                throw new InvalidField("domains", "at most 50");
            }
            for (int i = 0; i < in.domains().size(); i++) {
                String d = Fields.domain(in.domains().get(i), "domains[" + i + "]");
                if (d != null) {
                    domains.add(d);
                }
            }
        }
        return new Records.Account(id, Fields.text(in.name(), "name"), List.copyOf(domains), Fields.text(in.industry(), "industry"),
                Fields.time(in.createdAt(), "createdAt", false, true));
    }

    public static Records.Contact contact(Inputs.Contact in) {
        String id = Fields.id(in.id(), "id");
        String email = null;
        if (Fields.clean(in.email()) != null) {
            email = Identifier.email(in.email());
            if (email == null) {
                throw new InvalidField("email", "not an email address (the value is not repeated here: it may be personal data)");
            }
        }
        String phone = null;
        if (Fields.clean(in.phone()) != null) {
            phone = Identifier.phone(in.phone());
            if (phone == null) {
                throw new InvalidField("phone", "not a phone number (5 to 20 digits; the value is not repeated here: it may be personal data)");
            }
        }
        return new Records.Contact(id, email, phone, Fields.optionalId(in.accountId(), "accountId"),
                Fields.time(in.createdAt(), "createdAt", false, true), Fields.time(in.leadCreatedAt(), "leadCreatedAt", false, true));
    }

    public static Records.Opportunity opportunity(Inputs.Opportunity in, boolean lenient) {
        String id = Fields.id(in.id(), "id");
        String accountId = Fields.optionalId(in.accountId(), "accountId");
        BigDecimal amount = Fields.amount(in.amount(), "amount", false, false, lenient);
        String currency = Fields.currency(in.currency(), "currency");
        String stage = Fields.text(in.stage(), "stage");
        String status = status(in.status(), stage);
        var createdAt = Fields.time(in.createdAt(), "createdAt", true, true);
        var closedAt = Fields.time(in.closedAt(), "closedAt", false, false);
        if (!status.equals("OPEN") && closedAt == null) {
            throw new InvalidField("closedAt", "a " + status.toLowerCase(Locale.ROOT) + " opportunity needs its close time");
        }
        if (closedAt != null && !status.equals("OPEN") && closedAt.isBefore(createdAt)) {
            throw new InvalidField("closedAt", "before createdAt");
        }
        List<Records.ContactRole> roles = null;
        if (in.contactRoles() != null) {
            if (in.contactRoles().size() > MAX_LIST) {
                throw new InvalidField("contactRoles", "at most " + MAX_LIST);
            }
            Map<String, Records.ContactRole> byContact = new LinkedHashMap<>();
            for (int i = 0; i < in.contactRoles().size(); i++) {
                Inputs.ContactRole r = in.contactRoles().get(i);
                if (r == null) {
                    throw new InvalidField("contactRoles[" + i + "]", "missing");
                }
                String contactId = Fields.id(r.contactId(), "contactRoles[" + i + "].contactId");
                byContact.put(contactId, new Records.ContactRole(contactId, Fields.text(r.role(), "contactRoles[" + i + "].role")));
            }
            roles = List.copyOf(byContact.values());
        }
        List<Records.StageChange> history = null;
        if (in.stageHistory() != null) {
            if (in.stageHistory().size() > MAX_LIST) {
                throw new InvalidField("stageHistory", "at most " + MAX_LIST);
            }
            List<Records.StageChange> changes = new ArrayList<>();
            for (int i = 0; i < in.stageHistory().size(); i++) {
                Inputs.StageChange c = in.stageHistory().get(i);
                if (c == null) {
                    throw new InvalidField("stageHistory[" + i + "]", "missing");
                }
                changes.add(stageChange(c.stage(), c.enteredAt(), "stageHistory[" + i + "]."));
            }
            history = normalizeHistory(changes);
        }
        return new Records.Opportunity(id, accountId, Fields.text(in.name(), "name"), amount == null ? null : new Money(amount, currency),
                createdAt, stage, status, closedAt, roles, history);
    }

    public static Records.OpportunityStage opportunityStage(Inputs.OpportunityStage in) {
        return new Records.OpportunityStage(Fields.id(in.opportunityId(), "opportunityId"), stageChange(in.stage(), in.enteredAt(), ""));
    }

    private static Records.StageChange stageChange(String stage, String enteredAt, String prefix) {
        String s = Fields.text(stage, prefix + "stage");
        if (s == null) {
            throw new InvalidField(prefix + "stage", "missing");
        }
        return new Records.StageChange(s, Fields.time(enteredAt, prefix + "enteredAt", true, true));
    }

    /** Sorted by time (then stage), exact repeats dropped. */
    public static List<Records.StageChange> normalizeHistory(List<Records.StageChange> changes) {
        List<Records.StageChange> sorted = new ArrayList<>(new LinkedHashSet<>(changes));
        sorted.sort(Comparator.comparing(Records.StageChange::enteredAt).thenComparing(Records.StageChange::stage));
        return List.copyOf(sorted);
    }

    /** OPEN, WON or LOST as given (any case, also "Closed Won"/"closedwon"), or derived from the stage name. */
    public static String status(String raw, String stage) {
        String s = Fields.clean(raw);
        if (s != null) {
            String key = s.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
            return switch (key) {
                case "open" -> "OPEN";
                case "won", "closedwon" -> "WON";
                case "lost", "closedlost" -> "LOST";
                default -> throw new InvalidField("status", "'" + Fields.clip(s) + "' is not OPEN, WON or LOST");
            };
        }
        if (stage != null) {
            String key = stage.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
            if (key.contains("won")) {
                return "WON";
            }
            if (key.contains("lost")) {
                return "LOST";
            }
        }
        return "OPEN";
    }

    public static Records.Revenue revenue(Inputs.Revenue in, boolean lenient) {
        String id = Fields.id(in.id(), "id");
        String accountId = Fields.id(in.accountId(), "accountId");
        BigDecimal amount = Fields.amount(in.amount(), "amount", true, true, lenient);
        return new Records.Revenue(id, accountId, Fields.optionalId(in.opportunityId(), "opportunityId"),
                new Money(amount, Fields.currency(in.currency(), "currency")), Fields.time(in.occurredAt(), "occurredAt", true, true));
    }

    public static Records.Spend spend(Inputs.Spend in, ChannelTaxonomy taxonomy, boolean lenient) {
        LocalDate date = Fields.date(in.date(), "date");
        String source = Utm.source(Fields.text(in.source(), "source"));
        String medium = Utm.medium(Fields.text(in.medium(), "medium"));
        String campaign = Utm.clean(Fields.text(in.campaign(), "campaign"));
        String channel = channel(in.channel());
        if (channel == null) {
            if (source == null && medium == null && campaign == null) {
                throw new InvalidField("channel", "missing; give the channel, or source and medium to derive it from");
            }
            channel = taxonomy.classify(TouchSignals.ofUtm(source, medium, campaign)).channel();
        }
        BigDecimal amount = Fields.amount(in.amount(), "amount", true, false, lenient);
        String id = date + "|" + channel + "|" + nz(source) + "|" + nz(medium) + "|" + nz(campaign);
        return new Records.Spend(id, date, channel, source, medium, campaign, new Money(amount, Fields.currency(in.currency(), "currency")));
    }

    public static Records.OfflineTouch offlineTouch(Inputs.OfflineTouch in, ChannelTaxonomy taxonomy) {
        String id = Fields.id(in.id(), "id");
        var occurredAt = Fields.time(in.occurredAt(), "occurredAt", true, true);
        String email = null;
        if (Fields.clean(in.email()) != null) {
            email = Identifier.email(in.email());
            if (email == null) {
                throw new InvalidField("email", "not an email address (the value is not repeated here: it may be personal data)");
            }
        }
        String phone = null;
        if (Fields.clean(in.phone()) != null) {
            phone = Identifier.phone(in.phone());
            if (phone == null) {
                throw new InvalidField("phone", "not a phone number (5 to 20 digits; the value is not repeated here: it may be personal data)");
            }
        }
        String contactId = Fields.optionalId(in.contactId(), "contactId");
        if (email == null && phone == null && contactId == null) {
            throw new InvalidField("email", "an offline touch names its person by email, phone or contactId");
        }
        String type = Fields.clean(in.type());
        if (type == null) {
            throw new InvalidField("type", "missing; one of " + new java.util.TreeSet<>(OFFLINE_TYPES));
        }
        type = type.toUpperCase(Locale.ROOT).replaceAll("[\\s-]+", "_").replace("\"", "");
        if (type.startsWith("HOW_DID_YOU_HEAR")) {
            type = "HOW_DID_YOU_HEAR";
        }
        if (!OFFLINE_TYPES.contains(type)) {
            throw new InvalidField("type", "'" + Fields.clip(in.type().strip()) + "' is not one of " + new java.util.TreeSet<>(OFFLINE_TYPES));
        }
        Classification c = taxonomy.classify(TouchSignals.ofUtm(Fields.text(in.source(), "source"), Fields.text(in.medium(), "medium"),
                Fields.text(in.campaign(), "campaign")));
        // Without a source or medium the type says more than the taxonomy can: an event is in the events channel.
        boolean byType = c.source() == null && c.medium() == null;
        String channel = channel(in.channel());
        if (channel == null) {
            channel = !byType ? c.channel() : switch (type) {
                case "EVENT", "WEBINAR" -> "events";
                case "EMAIL_CLICK" -> "email";
                default -> ChannelTaxonomy.FALLBACK;
            };
        }
        return new Records.OfflineTouch(id, occurredAt, email, phone, contactId, type, channel, c.source(), c.medium(), c.campaign(),
                byType || c.utmValid());
    }

    public static Records.ExchangeRate exchangeRate(Inputs.ExchangeRate in, boolean lenient) {
        LocalDate date = Fields.date(in.date(), "date");
        String currency = Fields.currency(in.currency(), "currency");
        if (currency == null) {
            throw new InvalidField("currency", "missing");
        }
        BigDecimal rate = Fields.amount(in.rate(), "rate", true, false, lenient);
        if (rate.signum() == 0) {
            throw new InvalidField("rate", "must be more than 0");
        }
        return new Records.ExchangeRate(date, currency, rate);
    }

    /** A channel name as given (lower-cased, spaces as '_'); null when absent. */
    static String channel(String raw) {
        String s = Fields.clean(raw);
        if (s == null) {
            return null;
        }
        String c = s.toLowerCase(Locale.ROOT).replaceAll("[\\s-]+", "_");
        if (!ChannelRule.CHANNEL_NAME.matcher(c).matches()) {
            throw new InvalidField("channel", "'" + Fields.clip(s) + "' is not a channel name (letters, digits and '_')");
        }
        return c;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** For CSV and tests: a touch type of the Segment vocabulary. */
    public static boolean isTouchType(String type) {
        return TouchTypes.ALL.contains(type);
    }
}
