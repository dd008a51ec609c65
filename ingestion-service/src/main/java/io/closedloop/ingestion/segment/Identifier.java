package io.closedloop.ingestion.segment;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** An identifier of a person (docs/feeds.md): {@code anonymous_id}, {@code user_id}, {@code email}, {@code phone}, {@code contact_id}. */
public record Identifier(String type, String value) {

    public static final String ANONYMOUS_ID = "anonymous_id";
    public static final String USER_ID = "user_id";
    public static final String EMAIL = "email";
    public static final String PHONE = "phone";
    public static final String CONTACT_ID = "contact_id";

    private static final Pattern EMAIL_SHAPE = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    /** An email trimmed and lower-cased; null when {@code raw} does not look like one. */
    public static String email(String raw) {
        if (raw == null) {
            return null;
        }
        String e = raw.strip().toLowerCase(Locale.ROOT);
        return e.length() <= 320 && EMAIL_SHAPE.matcher(e).matches() ? e : null;
    }

    /** A phone number as digits with an optional leading '+'; null when it has fewer than 5 or more than 20 digits. */
    public static String phone(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip();
        StringBuilder b = new StringBuilder(s.length());
        if (s.startsWith("+")) {
            b.append('+');
        }
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                b.append(c);
                digits++;
            }
        }
        return digits >= 5 && digits <= 20 ? b.toString() : null;
    }

    /** The identifiers as the JSON array of docs/feeds.md. */
    public static String toJson(List<Identifier> identifiers) {
        StringBuilder b = new StringBuilder(32 + 48 * identifiers.size()).append('[');
        for (int i = 0; i < identifiers.size(); i++) {
            Identifier id = identifiers.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"type\":");
            Json.quote(b, id.type());
            b.append(",\"value\":");
            Json.quote(b, id.value());
            b.append('}');
        }
        return b.append(']').toString();
    }
}
