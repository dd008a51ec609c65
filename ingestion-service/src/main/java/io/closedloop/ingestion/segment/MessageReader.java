package io.closedloop.ingestion.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.closedloop.ingestion.privacy.IdentifierHashing;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.ingestion.taxonomy.Classification;
import io.closedloop.ingestion.taxonomy.TouchSignals;
import io.closedloop.ingestion.taxonomy.Utm;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads one Segment message (DESIGN §3): validates it, derives its id when it has none, corrects
 * its time for clock skew, and extracts the touch and/or identity fact it stands for
 * (docs/feeds.md). A message that breaks a rule is rejected naming the field.
 */
public final class MessageReader {

    public static final Set<String> TYPES = Set.of("track", "page", "screen", "identify", "group", "alias");
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_EVENT_LENGTH = 512;
    /**
     * Identity facts share one id space per workspace: Segment messages use their messageId, CRM contacts
     * {@code contact:<id>} and offline touches {@code touch:<id>} (CrmRepository). A message may not take those.
     */
    static final String CRM_FACT_PREFIX = "contact:";
    static final String OFFLINE_FACT_PREFIX = "touch:";
    public static final int MAX_UTM_LENGTH = 512;
    public static final int MAX_URL_LENGTH = 8192;
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    /** Click ids kept on touches (the four of DESIGN §3 and their kin). */
    public static final List<String> CLICK_IDS = List.of("gclid", "fbclid", "li_fat_id", "msclkid", "gbraid", "wbraid",
            "dclid", "ttclid", "twclid");

    private static final String[] UTM_KEYS = {"utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"};

    /** What one message yields: a touch, an identity fact, or both. */
    public record Result(String messageId, TouchRow touch, FactRow fact) {
    }

    private final ChannelTaxonomy taxonomy;
    private final TouchTypes touchTypes;
    private final Instant receivedAt;
    private final Instant bodySentAt;
    private final ObjectNode batchContext;
    private final IdentifierHashing hashing;

    /**
     * @param receivedAt   when the request arrived
     * @param bodySentAt   the body's {@code sentAt} (a batch's), or null
     * @param batchContext a batch's {@code context}, merged into each message's (the message wins), or null
     * @param hashing      the workspace's hashing of emails and phones and redaction of raw payloads (hashIdentifiers), or null
     */
    public MessageReader(ChannelTaxonomy taxonomy, TouchTypes touchTypes, Instant receivedAt, Instant bodySentAt,
                         ObjectNode batchContext, IdentifierHashing hashing) {
        this.hashing = hashing;
        this.taxonomy = taxonomy;
        this.touchTypes = touchTypes;
        this.receivedAt = receivedAt;
        this.bodySentAt = bodySentAt;
        this.batchContext = batchContext;
    }

    /** Parses a top-level {@code sentAt}; null when absent. */
    public static Instant bodySentAt(JsonNode top, Instant receivedAt) {
        try {
            return time(top, "sentAt", receivedAt);
        } catch (MessageRejected e) {
            throw SegmentException.badRequest(e.field + ": " + e.getMessage());
        }
    }

    /**
     * @param callType the call of a single-call endpoint ({@code /v1/track} → "track"), or null in a batch (the message's {@code type})
     * @return the result, or throws nothing: a rejection is returned through {@code rejected}
     */
    public Object read(SegmentBody.Message message, String callType) {
        if (message.problem() != null) {
            return message.problem();
        }
        JsonNode node = message.node();
        String messageId = null;
        try {
            if (!node.isObject()) {
                throw new MessageRejected("", "must be a JSON object");
            }
            ObjectNode m = (ObjectNode) node;
            String type = callType;
            JsonNode given = m.get("type");
            if (callType != null && given != null && !given.isNull() && !(given.isTextual() && given.textValue().equals(callType))) {
                throw new MessageRejected("type", "'" + clip(given.asText()) + "' contradicts the call (" + callType + ")");
            }
            if (type == null) {
                JsonNode t = m.get("type");
                if (t == null || !t.isTextual()) {
                    throw new MessageRejected("type", "missing; one of " + new java.util.TreeSet<>(TYPES));
                }
                type = t.textValue();
                if (!TYPES.contains(type)) {
                    throw new MessageRejected("type", "'" + clip(type) + "' is not one of " + new java.util.TreeSet<>(TYPES));
                }
            }
            messageId = id(m, "messageId", false);
            if (messageId != null && (messageId.startsWith(CRM_FACT_PREFIX) || messageId.startsWith(OFFLINE_FACT_PREFIX))) {
                String taken = messageId;
                messageId = null; // not echoed as this message's id: it names a CRM contact's or an offline touch's fact
                throw new MessageRejected("messageId", "'" + clip(taken) + "': ids starting with '" + CRM_FACT_PREFIX + "' or '"
                        + OFFLINE_FACT_PREFIX + "' are reserved for CRM contacts' and offline touches' identity facts");
            }
            if (messageId == null) {
                messageId = derivedId(type, m);
            }
            mergeBatchContext(m);
            ObjectNode context = object(m, "context");
            Instant occurred = occurredAt(m);
            OffsetDateTime at = OffsetDateTime.ofInstant(occurred.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
            String anonymousId = id(m, "anonymousId", false);
            String userId = id(m, "userId", false);
            if (!type.equals("alias") && anonymousId == null && userId == null) {
                throw new MessageRejected("userId", "a message needs a userId or an anonymousId");
            }
            // With hashIdentifiers the stored raw payload is a redacted copy, not the message as received.
            String raw = hashing == null ? message.text() : hashing.redact(m);
            return switch (type) {
                case "track", "page", "screen" -> touch(type, messageId, m, context, at, anonymousId, userId, raw);
                case "identify" -> identify(messageId, m, context, at, anonymousId, userId, raw);
                case "group" -> group(messageId, m, at, anonymousId, userId, raw);
                case "alias" -> alias(messageId, m, at, anonymousId, userId, raw);
                default -> throw new IllegalStateException(type);
            };
        } catch (MessageRejected e) {
            return new Rejection(message.index(), messageId, e.field, e.getMessage());
        }
    }

    private Result touch(String type, String messageId, ObjectNode m, ObjectNode context, OffsetDateTime at,
                         String anonymousId, String userId, String raw) {
        String event = null;
        String touchType;
        ObjectNode properties = object(m, "properties");
        if (type.equals("track")) {
            event = text(m, "event", MAX_EVENT_LENGTH);
            if (event == null || event.isBlank()) {
                throw new MessageRejected("event", "a track call needs an event name");
            }
            touchType = touchTypes.ofTrack(event);
        } else {
            touchType = type.equals("page") ? "PAGE_VIEW" : "SCREEN_VIEW";
            // The spec's page and screen name and category: not stored apart, but a wrong type is the sender's mistake.
            text(m, "name", MAX_EVENT_LENGTH);
            text(m, "category", MAX_EVENT_LENGTH);
        }
        ObjectNode page = context == null ? null : object(context, "page", "context.page");
        String url = page == null ? null : text(page, "url", MAX_URL_LENGTH, "context.page.url");
        if (url == null && properties != null && type.equals("page")) {
            url = text(properties, "url", MAX_URL_LENGTH, "properties.url");
        }
        String referrer = page == null ? null : text(page, "referrer", MAX_URL_LENGTH, "context.page.referrer");
        if (referrer == null && properties != null && type.equals("page")) {
            referrer = text(properties, "referrer", MAX_URL_LENGTH, "properties.referrer");
        }
        if (referrer != null && referrer.isBlank()) {
            referrer = null;
        }
        String search = page == null ? null : text(page, "search", MAX_URL_LENGTH, "context.page.search");
        Map<String, String> query = query(url != null && url.indexOf('?') >= 0 ? url : search);

        String[] utm = new String[5];
        ObjectNode campaign = context == null ? null : object(context, "campaign", "context.campaign");
        if (campaign != null) {
            String[] keys = {"source", "medium", "name", "content", "term"};
            for (int k = 0; k < keys.length; k++) {
                // Strings only (the spec's type); UTMs from the page URL are bounded by its length, these by MAX_UTM_LENGTH.
                utm[k] = text(campaign, keys[k], MAX_UTM_LENGTH, "context.campaign." + keys[k]);
                if (utm[k] != null && utm[k].isBlank()) {
                    utm[k] = null;
                }
            }
        }
        boolean fromCampaign = false;
        for (String u : utm) {
            fromCampaign |= u != null && !u.isBlank();
        }
        if (!fromCampaign) {
            for (int i = 0; i < 5; i++) {
                utm[i] = query.get(UTM_KEYS[i]);
            }
        }
        Map<String, String> clickIds = new LinkedHashMap<>();
        for (String name : CLICK_IDS) {
            String value = query.get(name);
            if (value != null && !value.isBlank()) {
                clickIds.put(name, value);
            }
        }
        Classification c = taxonomy.classify(new TouchSignals(utm[0], utm[1], utm[2], utm[3], utm[4], referrer, url, clickIds));

        List<Identifier> identifiers = new ArrayList<>(3);
        if (anonymousId != null) {
            identifiers.add(new Identifier(Identifier.ANONYMOUS_ID, anonymousId));
        }
        if (userId != null) {
            identifiers.add(new Identifier(Identifier.USER_ID, userId));
        }
        String email = traitEmail(context == null ? null : object(context, "traits", "context.traits"));
        if (email == null && "FORM_FILL".equals(touchType) && properties != null) {
            email = Identifier.email(loose(properties.get("email")));
        }
        if (email != null) {
            identifiers.add(new Identifier(Identifier.EMAIL, hashing == null ? email : hashing.email(email)));
        }
        if (hashing != null) {
            url = hashing.url(url);
            referrer = hashing.url(referrer);
        }
        String identifiersJson = Identifier.toJson(identifiers);
        TouchRow touch = new TouchRow(messageId, at, touchType, identifiersJson, c.channel(), c.source(), c.medium(),
                c.campaign(), c.content(), c.term(), referrer, url, clickIds.isEmpty() ? null : Json.object(clickIds),
                event, c.utmValid(), raw);
        FactRow link = identifiers.size() >= 2 ? new FactRow(messageId, "link", at, identifiersJson, null, null) : null;
        return new Result(messageId, touch, link);
    }

    private Result identify(String messageId, ObjectNode m, ObjectNode context, OffsetDateTime at, String anonymousId,
                            String userId, String raw) {
        ObjectNode traits = object(m, "traits");
        ObjectNode contextTraits = context == null ? null : object(context, "traits", "context.traits");
        List<Identifier> identifiers = new ArrayList<>(4);
        if (anonymousId != null) {
            identifiers.add(new Identifier(Identifier.ANONYMOUS_ID, anonymousId));
        }
        if (userId != null) {
            identifiers.add(new Identifier(Identifier.USER_ID, userId));
        }
        String email = traitEmail(traits);
        if (email == null) {
            email = traitEmail(contextTraits);
        }
        if (email != null) {
            identifiers.add(new Identifier(Identifier.EMAIL, hashing == null ? email : hashing.email(email)));
        }
        String phone = traits == null ? null : Identifier.phone(loose(traits.get("phone")));
        if (phone == null && contextTraits != null) {
            phone = Identifier.phone(loose(contextTraits.get("phone")));
        }
        if (phone != null) {
            identifiers.add(new Identifier(Identifier.PHONE, hashing == null ? phone : hashing.phone(phone)));
        }
        return new Result(messageId, null, new FactRow(messageId, "identify", at, Identifier.toJson(identifiers), null, raw));
    }

    private Result group(String messageId, ObjectNode m, OffsetDateTime at, String anonymousId, String userId, String raw) {
        String groupId = id(m, "groupId", true);
        ObjectNode traits = object(m, "traits");
        String domain = null;
        String name = null;
        if (traits != null) {
            domain = domain(loose(traits.get("domain")));
            if (domain == null) {
                domain = domain(loose(traits.get("website")));
            }
            name = loose(traits.get("name"));
        }
        List<Identifier> identifiers = new ArrayList<>(2);
        if (anonymousId != null) {
            identifiers.add(new Identifier(Identifier.ANONYMOUS_ID, anonymousId));
        }
        if (userId != null) {
            identifiers.add(new Identifier(Identifier.USER_ID, userId));
        }
        Map<String, String> account = new LinkedHashMap<>();
        account.put("id", groupId);
        account.put("domain", domain);
        account.put("name", name);
        return new Result(messageId, null, new FactRow(messageId, "group", at, Identifier.toJson(identifiers), Json.object(account), raw));
    }

    private Result alias(String messageId, ObjectNode m, OffsetDateTime at, String anonymousId, String userId, String raw) {
        if (userId == null) {
            throw new MessageRejected("userId", "an alias call needs a userId");
        }
        String previousId = id(m, "previousId", true);
        // previousId is the id the person had before: an anonymous id or an earlier user id, and the call does not say
        // which (analytics-node sends no anonymousId with it). When the message's anonymousId is that id it is an
        // anonymous id; otherwise it is linked as both, so touches recorded under either are the person's.
        List<Identifier> identifiers = new ArrayList<>(4);
        identifiers.add(new Identifier(Identifier.ANONYMOUS_ID, previousId));
        if (!previousId.equals(anonymousId)) {
            identifiers.add(new Identifier(Identifier.USER_ID, previousId));
        }
        identifiers.add(new Identifier(Identifier.USER_ID, userId));
        if (anonymousId != null && !anonymousId.equals(previousId)) {
            identifiers.add(new Identifier(Identifier.ANONYMOUS_ID, anonymousId));
        }
        return new Result(messageId, null, new FactRow(messageId, "alias", at, Identifier.toJson(identifiers), null, raw));
    }

    /** timestamp (or originalTimestamp, else the receipt time), shifted by the client's clock offset (receivedAt − sentAt). */
    private Instant occurredAt(ObjectNode m) {
        Instant timestamp = time(m, "timestamp", receivedAt);
        Instant original = time(m, "originalTimestamp", receivedAt);
        Instant sentAt = time(m, "sentAt", receivedAt);
        if (sentAt == null) {
            sentAt = bodySentAt;
        }
        Instant t = timestamp != null ? timestamp : original;
        if (t == null) {
            return receivedAt;
        }
        if (sentAt == null) {
            return t;
        }
        Instant corrected = t.plusMillis(receivedAt.toEpochMilli() - sentAt.toEpochMilli());
        if (corrected.isBefore(EARLIEST)) {
            throw new MessageRejected(timestamp != null ? "timestamp" : "originalTimestamp", "before 2000-01-01 once corrected by sentAt");
        }
        return corrected.isAfter(receivedAt.plus(1, ChronoUnit.DAYS)) ? receivedAt : corrected;
    }

    static Instant time(JsonNode m, String field, Instant receivedAt) {
        JsonNode node = m.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new MessageRejected(field, "must be an ISO-8601 string such as 2026-03-01T12:00:00.000Z");
        }
        Instant t = Times.parseUtc(node.textValue());
        if (t == null) {
            try {
                t = OffsetDateTime.parse(node.textValue()).toInstant();
            } catch (DateTimeParseException e) {
                throw new MessageRejected(field, "'" + clip(node.textValue()) + "' is not an ISO-8601 time with an offset or Z");
            }
        }
        if (t.isBefore(EARLIEST)) {
            throw new MessageRejected(field, "before 2000-01-01");
        }
        if (t.isAfter(receivedAt.plus(1, ChronoUnit.DAYS))) {
            throw new MessageRejected(field, "more than a day after the request arrived");
        }
        return t;
    }

    private void mergeBatchContext(ObjectNode m) {
        if (batchContext == null) {
            return;
        }
        JsonNode own = m.get("context");
        if (own == null || own.isNull()) {
            m.set("context", batchContext.deepCopy());
        } else if (own.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = batchContext.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!own.has(e.getKey())) {
                    ((ObjectNode) own).set(e.getKey(), e.getValue().deepCopy());
                }
            }
        }
    }

    /** An id field: a string (or a number, as Segment allows) of 1 to 256 characters; null when absent unless required. */
    private static String id(ObjectNode m, String field, boolean required) {
        JsonNode node = m.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new MessageRejected(field, "missing");
            }
            return null;
        }
        String value;
        if (node.isTextual()) {
            value = node.textValue();
        } else if (node.isIntegralNumber()) {
            value = node.asText();
        } else {
            throw new MessageRejected(field, "must be a string");
        }
        if (value.isEmpty()) {
            if (required) {
                throw new MessageRejected(field, "empty");
            }
            return null;
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new MessageRejected(field, "longer than " + MAX_ID_LENGTH + " characters");
        }
        return value;
    }

    private static String text(ObjectNode m, String field, int max) {
        return text(m, field, max, field);
    }

    private static String text(ObjectNode m, String field, int max, String path) {
        JsonNode node = m.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new MessageRejected(path, "must be a string");
        }
        if (node.textValue().length() > max) {
            throw new MessageRejected(path, "longer than " + max + " characters");
        }
        return node.textValue();
    }

    private static ObjectNode object(ObjectNode m, String field) {
        return object(m, field, field);
    }

    private static ObjectNode object(ObjectNode m, String field, String path) {
        JsonNode node = m.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new MessageRejected(path, "must be an object");
        }
        return (ObjectNode) node;
    }

    /** A string or number as text; anything else (objects, booleans) is ignored: these fields are optional hints. */
    private static String loose(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) {
            return null;
        }
        String s = node.asText();
        return s.isBlank() ? null : s;
    }

    private static String traitEmail(ObjectNode traits) {
        return traits == null ? null : Identifier.email(loose(traits.get("email")));
    }

    private static String domain(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip().toLowerCase(java.util.Locale.ROOT);
        String host = s.contains("//") ? Utm.hostOf(s) : s.split("[/?#]", 2)[0];
        if (host == null || host.isEmpty() || host.indexOf('.') < 0) {
            return null;
        }
        return host.startsWith("www.") ? host.substring(4) : host;
    }

    /** The query parameters of a URL (or of a bare "?a=b" search string), first value of each, names lower-cased. */
    static Map<String, String> query(String url) {
        if (url == null) {
            return Map.of();
        }
        int q = url.indexOf('?');
        if (q < 0) {
            return Map.of();
        }
        int hash = url.indexOf('#', q);
        String query = url.substring(q + 1, hash < 0 ? url.length() : hash);
        Map<String, String> params = new java.util.HashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(java.util.Locale.ROOT);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.putIfAbsent(name, value);
        }
        return params;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** The id of a message sent without one: a hash of its content (its call type and fields but sentAt), so a retry gets the same id. */
    static String derivedId(String type, ObjectNode m) {
        StringBuilder canonical = new StringBuilder(512).append(type).append('\n');
        canonical(m, canonical, true);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return "derived-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void canonical(JsonNode node, StringBuilder out, boolean top) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            node.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            if (top) {
                sorted.remove("sentAt");
                sorted.remove("writeKey");
                sorted.remove("receivedAt");
                sorted.remove("type");
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                Json.quote(out, e.getKey());
                out.append(':');
                canonical(e.getValue(), out, false);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                canonical(node.get(i), out, false);
            }
            out.append(']');
        } else if (node.isTextual()) {
            Json.quote(out, node.textValue());
        } else {
            out.append(node.toString());
        }
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
