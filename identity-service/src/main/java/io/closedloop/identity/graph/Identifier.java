package io.closedloop.identity.graph;

import java.util.Locale;
import java.util.Set;

/**
 * One identifier of the graph, normalized as docs/feeds.md writes it: email trimmed and
 * lower-cased, phone as digits (with the leading {@code +} when given), contact ids trimmed, Segment ids as given.
 */
public record Identifier(String type, String value) {

    public static final String ANONYMOUS_ID = "anonymous_id";
    public static final String USER_ID = "user_id";
    public static final String EMAIL = "email";
    public static final String PHONE = "phone";
    public static final String CONTACT_ID = "contact_id";
    public static final Set<String> TYPES = Set.of(ANONYMOUS_ID, USER_ID, EMAIL, PHONE, CONTACT_ID);

    /** Normalizes a raw identifier; a bad type or an empty value is an IllegalArgumentException naming the field. */
    public static Identifier of(String type, String raw) {
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("identifier.type: '" + type + "' is not one of " + TYPES);
        }
        // The same forms ingestion stores (docs/feeds.md), so what identity names in an erasure is what ingestion holds:
        // ids as given (Segment ids are not trimmed), emails trimmed and lower-cased, phones digits with the '+' if given.
        String value = raw == null ? "" : type.equals(ANONYMOUS_ID) || type.equals(USER_ID) ? raw : raw.trim();
        if (type.equals(EMAIL)) {
            value = value.toLowerCase(Locale.ROOT);
            int at = value.indexOf('@');
            if (at <= 0 || at != value.lastIndexOf('@') || at == value.length() - 1) {
                throw new IllegalArgumentException("identifier.value: not an email address");
            }
        } else if (type.equals(PHONE)) {
            String digits = value.replaceAll("[^0-9]", "");
            value = digits.isEmpty() ? "" : (value.startsWith("+") ? "+" : "") + digits;
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException("identifier.value: empty " + type);
        }
        return new Identifier(type, value);
    }

    /** Parses {@link #key()}. */
    public static Identifier fromKey(String key) {
        int colon = key.indexOf(':');
        return new Identifier(key.substring(0, colon), key.substring(colon + 1));
    }

    /** {@code type:value}, the identifier's key in storage. */
    public String key() {
        return type + ":" + value;
    }

    /** Anonymous ids are devices, not people: they never count as persons for the explosion guard. */
    public boolean personal() {
        return !type.equals(ANONYMOUS_ID);
    }

    /** The registered domain of an email, else null. */
    public String emailDomain() {
        return type.equals(EMAIL) ? Domains.registeredDomain(value.substring(value.indexOf('@') + 1)) : null;
    }
}
