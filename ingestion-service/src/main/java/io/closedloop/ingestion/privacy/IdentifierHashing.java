package io.closedloop.ingestion.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.plumbing.privacy.Hmac;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A workspace's hashed identifiers (its {@code hashIdentifiers} setting, DESIGN §6): emails and phones are stored and matched
 * as keyed hashes (HMAC-SHA256 under a key derived from ingestion's secret and the workspace) in forms every service already
 * reads, and the known personal fields of raw payloads are redacted before storage.
 * <ul>
 * <li>an email keeps its domain, so free-mail exclusion and account matching by corporate domain still work:
 * {@code ada@acme.com} → {@code h_<32 hex>@acme.com};</li>
 * <li>a phone becomes 18 digits after {@code +00} (no real number starts so): {@code +4930123} → {@code +00<18 digits>}.</li>
 * </ul>
 */
public final class IdentifierHashing {

    public static final String REDACTED = "redacted";

    /** Trait and property names holding a person's contact details or name. */
    private static final List<String> PERSONAL_FIELDS = List.of("email", "phone", "name", "firstName", "lastName", "first_name",
            "last_name", "username", "address", "mobile");
    /** Query parameters of URLs redacted (case-insensitive). */
    private static final Set<String> PERSONAL_PARAMETERS = Set.of("email", "e-mail", "e_mail", "mail", "phone", "tel", "mobile");

    private static final java.util.regex.Pattern HASHED_EMAIL = java.util.regex.Pattern.compile("h_[0-9a-f]{32}@[^@]+");
    /** No real number starts with +00 (00 is a dialling prefix, not a country code). */
    private static final java.util.regex.Pattern HASHED_PHONE = java.util.regex.Pattern.compile("\\+00[0-9]{18}");

    private final byte[] key;

    IdentifierHashing(byte[] key) {
        this.key = key;
    }

    /** The hashed form of a normalized email (trimmed, lower-cased); an already hashed one is returned as it is. */
    public String email(String email) {
        int at = email.lastIndexOf('@');
        if (HASHED_EMAIL.matcher(email).matches()) {
            return email;
        }
        return "h_" + HexFormat.of().formatHex(Hmac.sha256(key, "email:" + email), 0, 16) + "@" + email.substring(at + 1);
    }

    /** The hashed form of a normalized phone (digits with a leading '+'); an already hashed one is returned as it is. */
    public String phone(String phone) {
        if (HASHED_PHONE.matcher(phone).matches()) {
            return phone;
        }
        String digits = new BigInteger(1, Hmac.sha256(key, "phone:" + phone)).toString();
        return "+00" + digits.substring(digits.length() - 18);
    }

    /** A URL with its personal query parameters' values replaced; null stays null. */
    public String url(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        int hash = url.indexOf('#', q);
        String query = hash < 0 ? url.substring(q + 1) : url.substring(q + 1, hash);
        StringBuilder b = new StringBuilder(url.length()).append(url, 0, q + 1);
        String[] pairs = query.split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            if (i > 0) {
                b.append('&');
            }
            int eq = pairs[i].indexOf('=');
            String name = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
            b.append(eq >= 0 && PERSONAL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT)) ? name + "=" + REDACTED : pairs[i]);
        }
        if (hash >= 0) {
            b.append(url, hash, url.length());
        }
        return b.toString();
    }

    /**
     * The message to store as its raw payload: a copy with the personal fields of its traits and properties redacted and the
     * personal parameters of its URLs removed.
     */
    public String redact(ObjectNode message) {
        ObjectNode copy = message.deepCopy();
        redactFields(copy.get("traits"));
        redactFields(copy.get("properties"));
        JsonNode context = copy.get("context");
        if (context instanceof ObjectNode c) {
            redactFields(c.get("traits"));
            redactUrls(c.get("page"));
        }
        redactUrls(copy.get("properties"));
        return copy.toString();
    }

    private void redactFields(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (String field : PERSONAL_FIELDS) {
                if (o.has(field)) {
                    o.put(field, REDACTED);
                }
            }
        }
    }

    private void redactUrls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (String field : List.of("url", "referrer", "search")) {
                JsonNode v = o.get(field);
                if (v != null && v.isTextual()) {
                    o.put(field, field.equals("search") ? url("?" + v.textValue().replaceFirst("^\\?", "")) : url(v.textValue()));
                }
            }
        }
    }

}
