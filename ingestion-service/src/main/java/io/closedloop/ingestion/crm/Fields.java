package io.closedloop.ingestion.crm;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parsing and checking of item fields, shared by the GraphQL mutations and CSV imports. Every
 * failure is an {@link InvalidField} naming the field. Limits: ids up to 256 characters, other
 * text up to 1,000; times from 1970 to ten years ahead (event times at most a day ahead);
 * amounts up to 10^15 with at most 4 decimals.
 */
public final class Fields {

    public static final int MAX_ID = 256;
    public static final int MAX_TEXT = 1000;
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** Times as the feeds and the GraphQL API write them: ISO-8601 in UTC with milliseconds, as SQL's {@code iso_utc} (V2). */
    public static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000000");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** Date-times without an offset as CRM exports write them; read as UTC. */
    private static final List<DateTimeFormatter> LOCAL_TIMES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE_TIME,
            new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd HH:mm").optionalStart().appendPattern(":ss")
                    .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().optionalEnd()
                    .toFormatter(Locale.ROOT),
            new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern("M/d/uuuu h:mm").optionalStart().appendPattern(":ss")
                    .optionalEnd().appendPattern(" a").toFormatter(Locale.US),
            new DateTimeFormatterBuilder().appendPattern("M/d/uuuu H:mm").optionalStart().appendPattern(":ss").optionalEnd()
                    .toFormatter(Locale.ROOT));
    private static final List<DateTimeFormatter> DATES = List.of(DateTimeFormatter.ISO_LOCAL_DATE,
            DateTimeFormatter.ofPattern("M/d/uuuu", Locale.ROOT));
    private static final DateTimeFormatter OFFSET_SPACE = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z").toFormatter(Locale.ROOT);

    private Fields() {
    }

    /** Blank → null, else trimmed. */
    public static String clean(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip();
        return s.isEmpty() ? null : s;
    }

    public static String id(String raw, String field) {
        String s = clean(raw);
        if (s == null) {
            throw new InvalidField(field, "missing");
        }
        return optionalId(s, field);
    }

    public static String optionalId(String raw, String field) {
        String s = clean(raw);
        if (s != null && s.length() > MAX_ID) {
            throw new InvalidField(field, "longer than " + MAX_ID + " characters");
        }
        checkChars(s, field);
        return s;
    }

    public static String text(String raw, String field) {
        String s = clean(raw);
        if (s != null && s.length() > MAX_TEXT) {
            throw new InvalidField(field, "longer than " + MAX_TEXT + " characters");
        }
        checkChars(s, field);
        return s;
    }

    private static void checkChars(String s, String field) {
        if (s == null) {
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new InvalidField(field, "contains \\u0000");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidField(field, "contains a lone surrogate");
                }
            }
        }
    }

    /** A time: ISO-8601 with offset or Z; without one (or a date alone, or M/d/yyyy as US exports write) it is read as UTC. */
    public static OffsetDateTime time(String raw, String field, boolean required, boolean eventTime) {
        String s = clean(raw);
        if (s == null) {
            if (required) {
                throw new InvalidField(field, "missing");
            }
            return null;
        }
        Instant t = parseInstant(s);
        if (t == null) {
            throw new InvalidField(field, "'" + clip(s) + "' is not a time; use ISO-8601 such as 2026-03-01T12:00:00Z or 2026-03-01");
        }
        if (t.isBefore(EARLIEST)) {
            throw new InvalidField(field, "before 1970");
        }
        Instant latest = eventTime ? Instant.now().plus(1, ChronoUnit.DAYS) : Instant.now().plus(3653, ChronoUnit.DAYS);
        if (t.isAfter(latest)) {
            throw new InvalidField(field, eventTime ? "more than a day in the future" : "more than ten years in the future");
        }
        return OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    static Instant parseInstant(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // next format
        }
        try {
            return OffsetDateTime.parse(s, OFFSET_SPACE).toInstant();
        } catch (DateTimeParseException ignored) {
            // next format
        }
        for (DateTimeFormatter f : LOCAL_TIMES) {
            try {
                return LocalDateTime.parse(s, f).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException ignored) {
                // next format
            }
        }
        LocalDate d = parseDate(s);
        return d == null ? null : d.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static LocalDate parseDate(String s) {
        for (DateTimeFormatter f : DATES) {
            try {
                return LocalDate.parse(s, f);
            } catch (DateTimeParseException ignored) {
                // next format
            }
        }
        return null;
    }

    public static LocalDate date(String raw, String field) {
        String s = clean(raw);
        if (s == null) {
            throw new InvalidField(field, "missing");
        }
        LocalDate d = parseDate(s);
        if (d == null) {
            Instant t = parseInstant(s);
            if (t == null) {
                throw new InvalidField(field, "'" + clip(s) + "' is not a date; use 2026-03-01");
            }
            d = LocalDate.ofInstant(t, ZoneOffset.UTC);
        }
        if (d.getYear() < 1970 || d.isAfter(LocalDate.now(ZoneOffset.UTC).plusYears(10))) {
            throw new InvalidField(field, "out of range (1970 to ten years ahead)");
        }
        return d;
    }

    /**
     * A decimal amount. {@code lenient} (CSV) also takes "$1,250.00", "1 250,00" is not guessed: a comma followed by
     * exactly three digits is a thousands separator, any other comma is an error.
     */
    public static BigDecimal amount(String raw, String field, boolean required, boolean allowNegative, boolean lenient) {
        String s = clean(raw);
        if (s == null) {
            if (required) {
                throw new InvalidField(field, "missing");
            }
            return null;
        }
        String n = s;
        if (lenient) {
            n = withoutCurrencyMarks(n);
            if (n.matches("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?")) {
                n = n.replace(",", "");
            }
        }
        BigDecimal amount;
        try {
            amount = new BigDecimal(n);
        } catch (NumberFormatException e) {
            throw new InvalidField(field, "'" + clip(s) + "' is not a decimal number such as 1250.00");
        }
        if (amount.abs().compareTo(MAX_AMOUNT) >= 0) {
            throw new InvalidField(field, "too large");
        }
        if (amount.stripTrailingZeros().scale() > 4) {
            throw new InvalidField(field, "more than 4 decimals");
        }
        if (!allowNegative && amount.signum() < 0) {
            throw new InvalidField(field, "negative");
        }
        return amount;
    }

    /**
     * The number of a lenient amount ("USD 1,250.00", "1 250 €"): without a leading or trailing three-letter currency
     * code, currency signs and white space. Written out rather than as one regex, whose "\\s*[A-Z]{3}$" branch retried
     * from every position of a long run of spaces (quadratic in the cell's length).
     */
    static String withoutCurrencyMarks(String s) {
        String n = s.strip();
        if (n.length() >= 3 && isCode(n, 0)) {
            n = n.substring(3).stripLeading();
        }
        if (n.length() >= 3 && isCode(n, n.length() - 3)) {
            n = n.substring(0, n.length() - 3).stripTrailing();
        }
        StringBuilder kept = new StringBuilder(n.length());
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if ("$€£¥".indexOf(c) < 0 && !Character.isWhitespace(c)) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    private static boolean isCode(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < 'A' || s.charAt(i) > 'Z') {
                return false;
            }
        }
        return true;
    }

    /** An ISO 4217 code (upper-cased); null when absent. */
    public static String currency(String raw, String field) {
        String s = clean(raw);
        if (s == null) {
            return null;
        }
        String c = s.toUpperCase(Locale.ROOT);
        if (!CURRENCY.matcher(c).matches()) {
            throw new InvalidField(field, "'" + clip(s) + "' is not an ISO 4217 currency code such as USD");
        }
        return c;
    }

    /** A domain from a domain, a URL or an email address: lower-case host without www. */
    public static String domain(String raw, String field) {
        String s = clean(raw);
        if (s == null) {
            return null;
        }
        String d = s.toLowerCase(Locale.ROOT);
        int at = d.lastIndexOf('@');
        if (at >= 0) {
            d = d.substring(at + 1);
        }
        d = d.replaceFirst("^[a-z][a-z0-9+.-]*://", "");
        d = d.split("[/?#:]", 2)[0];
        if (d.startsWith("www.")) {
            d = d.substring(4);
        }
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (!d.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+") || d.length() > 253) {
            throw new InvalidField(field, "'" + clip(s) + "' is not a domain such as acme.com");
        }
        return d;
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
