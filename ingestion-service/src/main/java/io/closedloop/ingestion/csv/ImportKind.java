package io.closedloop.ingestion.csv;

import io.closedloop.ingestion.crm.Inputs;
import org.eclipse.microprofile.graphql.Description;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What a CSV import holds ({@code POST /imports/{kind}}): the fields of each kind (the GraphQL input
 * fields, plus a few that exports carry instead: an opportunity's {@code isWon}/{@code isClosed} and
 * {@code contactIds}) and how a row becomes an input item. Also the GraphQL enum {@code ImportKind}: its constants are the
 * names there, {@link #path()} the slug of the REST path.
 */
@Description("What a CSV import holds. The upload's path names it in lower case with '-': POST /imports/stage-history is"
        + " STAGE_HISTORY.")
public enum ImportKind {
    ACCOUNTS("accounts", List.of("id"), List.of("name", "domains", "industry", "createdAt"),
            v -> new Inputs.Account(v.get("id"), v.get("name"), split(v.get("domains")), v.get("industry"), v.get("createdAt"))),
    CONTACTS("contacts", List.of("id"), List.of("email", "phone", "accountId", "createdAt", "leadCreatedAt"),
            v -> new Inputs.Contact(v.get("id"), v.get("email"), v.get("phone"), first(v.get("accountId")), v.get("createdAt"),
                    v.get("leadCreatedAt"))),
    OPPORTUNITIES("opportunities", List.of("id", "createdAt"),
            List.of("accountId", "name", "amount", "currency", "stage", "status", "isWon", "isClosed", "closedAt", "contactIds"),
            ImportKind::opportunity),
    STAGE_HISTORY("stage-history", List.of("opportunityId", "stage", "enteredAt"), List.of(),
            v -> new Inputs.OpportunityStage(v.get("opportunityId"), v.get("stage"), v.get("enteredAt"))),
    REVENUE("revenue", List.of("id", "accountId", "amount", "occurredAt"), List.of("opportunityId", "currency"),
            v -> new Inputs.Revenue(v.get("id"), first(v.get("accountId")), first(v.get("opportunityId")), v.get("amount"),
                    v.get("currency"), v.get("occurredAt"))),
    SPEND("spend", List.of("date", "amount"), List.of("channel", "source", "medium", "campaign", "currency"),
            v -> new Inputs.Spend(v.get("date"), v.get("channel"), v.get("source"), v.get("medium"), v.get("campaign"), v.get("amount"),
                    v.get("currency"))),
    OFFLINE_TOUCHES("offline-touches", List.of("id", "occurredAt", "type"),
            List.of("email", "phone", "contactId", "channel", "source", "medium", "campaign"),
            v -> new Inputs.OfflineTouch(v.get("id"), v.get("occurredAt"), v.get("email"), v.get("phone"), first(v.get("contactId")),
                    v.get("type"), v.get("channel"), v.get("source"), v.get("medium"), v.get("campaign"))),
    EXCHANGE_RATES("exchange-rates", List.of("date", "currency", "rate"), List.of(),
            v -> new Inputs.ExchangeRate(v.get("date"), v.get("currency"), v.get("rate")));

    private final String path;
    private final List<String> required;
    private final List<String> optional;
    private final Function<Map<String, String>, Object> toInput;

    ImportKind(String path, List<String> required, List<String> optional, Function<Map<String, String>, Object> toInput) {
        this.path = path;
        this.required = required;
        this.optional = optional;
        this.toInput = toInput;
    }

    /** The kind named in the path, or null. */
    public static ImportKind of(String path) {
        for (ImportKind k : values()) {
            if (k.path.equals(path)) {
                return k;
            }
        }
        return null;
    }

    public static List<String> paths() {
        return Arrays.stream(values()).map(ImportKind::path).toList();
    }

    public String path() {
        return path;
    }

    public List<String> required() {
        return required;
    }

    /** Every field, required first. */
    public List<String> fields() {
        List<String> all = new ArrayList<>(required);
        all.addAll(optional);
        return all;
    }

    /** The input item of a row (field → value, absent or blank fields missing). */
    public Object toInput(Map<String, String> values) {
        return toInput.apply(values);
    }

    private static Inputs.Opportunity opportunity(Map<String, String> v) {
        String status = v.get("status");
        if (status == null) {
            Boolean closed = bool(v.get("isClosed"));
            Boolean won = bool(v.get("isWon"));
            if (Boolean.TRUE.equals(won)) {
                status = "WON";
            } else if (Boolean.TRUE.equals(closed)) {
                status = "LOST";
            } else if (Boolean.FALSE.equals(closed)) {
                status = "OPEN";
            }
        }
        List<Inputs.ContactRole> roles = null;
        List<String> contacts = split(v.get("contactIds"));
        if (contacts != null) {
            roles = contacts.stream().map(c -> new Inputs.ContactRole(c, null)).toList();
        }
        return new Inputs.Opportunity(v.get("id"), first(v.get("accountId")), v.get("name"), v.get("amount"), v.get("currency"),
                v.get("createdAt"), v.get("stage"), status, v.get("closedAt"), roles, null);
    }

    /** true/false, yes/no, 1/0 (any case); null when absent or neither. */
    static Boolean bool(String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "y", "t" -> true;
            case "false", "no", "0", "n", "f" -> false;
            default -> null;
        };
    }

    /** A list cell ("a;b", "a, b" or "a|b"), or null when blank. */
    static List<String> split(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return Arrays.stream(raw.split("[;,|]")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The first of a list cell (HubSpot's "Associated Company IDs" may name several). */
    static String first(String raw) {
        List<String> all = split(raw);
        return all == null || all.isEmpty() ? raw : all.get(0);
    }

    /** Digits before (or zeros after) the decimal point beyond which a rate is not inverted but left for validation. */
    private static final int MAX_RATE_DIGITS = 20;

    /** 1 / rate, for exports that state rates the other way round (Salesforce: units of the currency per unit of the corporate one). */
    static String invert(String rate) {
        try {
            BigDecimal r = new BigDecimal(rate.strip());
            // An exponent far out of range (1E-999999999) would invert to a billion-digit plain string.
            int magnitude = r.precision() - r.scale();
            if (r.signum() == 0 || magnitude > MAX_RATE_DIGITS || magnitude < -MAX_RATE_DIGITS) {
                return rate;
            }
            return BigDecimal.ONE.divide(r, MathContext.DECIMAL64).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException | NullPointerException e) {
            return rate; // left for validation to reject, naming the field
        }
    }
}
