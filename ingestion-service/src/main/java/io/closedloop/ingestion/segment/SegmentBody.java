package io.closedloop.ingestion.segment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A Segment request body parsed as strict JSON (DESIGN §3 "Bad input"): RFC 8259 only (no
 * comments, NaN, trailing data or duplicate keys), valid UTF-8, nesting at most
 * {@value #MAX_DEPTH} levels. Syntax errors refuse the whole request (400). Strings holding
 * U+0000 or a lone surrogate, and messages over the size limit, reject just their
 * message. A batch's messages are located by byte offsets, so each keeps its exact text and
 * size.
 *
 * @param top      the body's fields other than {@code batch}
 * @param messages the batch's items in order, or the body itself for a single call
 */
public record SegmentBody(ObjectNode top, List<Message> messages) {

    /** Deepest nesting allowed (objects and arrays, counted from the body). */
    public static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    /**
     * One message as sent.
     *
     * @param node    the parsed message (not necessarily an object; that is checked later)
     * @param bytes   its size in bytes
     * @param text    its exact text, for storage
     * @param problem null, or why the message is rejected before it is read (field and error)
     */
    public record Message(int index, JsonNode node, int bytes, String text, Rejection problem) {
    }

    /**
     * @param body           the request body, decompressed
     * @param length         how many bytes of {@code body} are used
     * @param batch          whether this is {@code /v1/batch} (a {@code batch} array) or a single call (the body is the message)
     * @param maxMessageBytes the largest message; a batch item over it is rejected, a single call over it is refused (413)
     */
    public static SegmentBody parse(byte[] body, int length, boolean batch, int maxMessageBytes) {
        int invalid = Utf8.firstInvalid(body, length);
        if (invalid >= 0) {
            throw SegmentException.badRequest("body: invalid UTF-8 at byte " + invalid);
        }
        // JSON text holds no raw NUL; UTF-16 and UTF-32 bodies do (and the JSON parser would otherwise detect and accept them).
        for (int i = 0; i < length; i++) {
            if (body[i] == 0) {
                throw SegmentException.badRequest("body: a NUL byte at byte " + i + "; bodies are UTF-8 JSON (not UTF-16 or UTF-32)");
            }
        }
        if (!batch && length > maxMessageBytes) {
            throw SegmentException.tooLarge("message: " + length + " bytes, the limit is " + maxMessageBytes);
        }
        try (JsonParser parser = MAPPER.createParser(body, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw SegmentException.badRequest("body: must be a JSON object");
            }
            ObjectNode top = MAPPER.createObjectNode();
            List<Message> messages = new ArrayList<>();
            boolean sawBatch = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (batch && name.equals("batch")) {
                    sawBatch = true;
                    if (value != JsonToken.START_ARRAY) {
                        throw SegmentException.badRequest("batch: must be an array of messages");
                    }
                    readBatch(parser, body, maxMessageBytes, messages);
                } else {
                    top.set(name, parser.readValueAsTree());
                }
            }
            if (parser.nextToken() != null) {
                throw SegmentException.badRequest("body: unexpected data after the JSON object at byte "
                        + parser.currentTokenLocation().getByteOffset());
            }
            String bad = badString(top, "");
            if (bad != null) {
                throw SegmentException.badRequest(bad);
            }
            if (batch && !sawBatch) {
                throw SegmentException.badRequest("batch: missing; /v1/batch takes {\"batch\": [messages]}");
            }
            if (!batch) {
                messages.add(new Message(0, top, length, new String(body, 0, length, StandardCharsets.UTF_8), null));
            }
            return new SegmentBody(top, messages);
        } catch (StreamConstraintsException e) {
            throw SegmentException.badRequest("body: nesting deeper than " + MAX_DEPTH + " levels");
        } catch (StreamReadException e) {
            throw SegmentException.badRequest(field(e) + ": invalid JSON: " + e.getOriginalMessage() + where(e.getLocation()));
        } catch (IOException e) {
            throw SegmentException.badRequest("body: invalid JSON: " + e.getMessage());
        }
    }

    private static void readBatch(JsonParser parser, byte[] body, int maxMessageBytes, List<Message> messages) throws IOException {
        int index = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw SegmentException.badRequest("batch: unexpected end of input");
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            JsonNode node = parser.readValueAsTree();
            int end = (int) parser.currentTokenLocation().getByteOffset() + (token.isStructStart() ? 1 : 0);
            if (!token.isStructStart()) {
                end = (int) parser.currentLocation().getByteOffset();
            }
            int size = end - start;
            Rejection problem = null;
            String text = null;
            if (size > maxMessageBytes) {
                problem = new Rejection(index, messageIdOf(node), "", "message is " + size + " bytes, the limit is " + maxMessageBytes);
            } else {
                String bad = suspiciousEscape(body, start, end) ? badString(node, "") : null;
                if (bad != null) {
                    int colon = bad.indexOf(": ");
                    problem = new Rejection(index, messageIdOf(node), bad.substring(0, colon), bad.substring(colon + 2));
                } else {
                    text = new String(body, start, size, StandardCharsets.UTF_8);
                }
            }
            messages.add(new Message(index++, node, size, text, problem));
        }
    }

    /**
     * Whether {@code bytes[from, to)} holds the escape of U+0000 or of a surrogate (U+D800 to U+DFFF): only
     * then can a string hold what strict JSON forbids (raw control characters and raw surrogates are already refused by
     * the parser and the UTF-8 check), so only then is the message's tree searched for it.
     */
    static boolean suspiciousEscape(byte[] bytes, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            if (bytes[i] != '\\') {
                continue;
            }
            byte next = bytes[i + 1];
            if (next != 'u') {
                i++; // an escaped character, \\ included
                continue;
            }
            if (i + 5 < to) {
                int h0 = Character.digit(bytes[i + 2], 16);
                int h1 = Character.digit(bytes[i + 3], 16);
                if ((h0 == 0 && h1 == 0 && bytes[i + 4] == '0' && bytes[i + 5] == '0') || (h0 == 0xD && h1 >= 8)) {
                    return true;
                }
            }
            i += 5;
        }
        return false;
    }

    private static String messageIdOf(JsonNode node) {
        JsonNode id = node == null ? null : node.get("messageId");
        return id != null && id.isTextual() && id.textValue().length() <= 256 && badChars(id.textValue()) == null ? id.textValue() : null;
    }

    /** "path: problem" for the first string (key or value) holding U+0000 or a lone surrogate; null when there is none. */
    static String badString(JsonNode node, String path) {
        if (node.isTextual()) {
            String problem = badChars(node.textValue());
            return problem == null ? null : (path.isEmpty() ? "(value)" : path) + ": " + problem;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = field.getKey();
                String keyProblem = badChars(key);
                if (keyProblem != null) {
                    return (path.isEmpty() ? "" : path + ".") + printable(key) + ": field name " + keyProblem;
                }
                JsonNode value = field.getValue();
                if (value.isContainerNode() || value.isTextual()) {
                    String found = badString(value, path.isEmpty() ? key : path + "." + key);
                    if (found != null) {
                        return found;
                    }
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode value = node.get(i);
                if (value.isContainerNode() || value.isTextual()) {
                    String found = badString(value, path + "[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** Null when {@code s} has neither U+0000 nor an unpaired surrogate, else what it has. */
    static String badChars(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "contains \\u0000";
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return "contains a lone surrogate \\u" + Integer.toHexString(c).toUpperCase();
                }
            }
        }
        return null;
    }

    private static String printable(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toCharArray()) {
            b.append(c == 0 || Character.isSurrogate(c) ? "\\u" + String.format("%04X", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /**
     * Where the parser stopped, as a field path ("batch[0].traits.name"), so that the error names the field and not only
     * a byte offset; "body" at the top.
     */
    private static String field(StreamReadException e) {
        JsonParser parser = e.getProcessor();
        if (parser == null) {
            return "body";
        }
        StringBuilder path = new StringBuilder();
        Deque<String> steps = new ArrayDeque<>();
        for (var context = parser.getParsingContext(); context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inArray()) {
                steps.push("[" + Math.max(0, context.getCurrentIndex()) + "]");
            } else if (context.getCurrentName() != null) {
                steps.push("." + printable(context.getCurrentName()));
            }
        }
        steps.forEach(path::append);
        return path.isEmpty() ? "body" : path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    private static String where(JsonLocation location) {
        return location == null ? "" : " at byte " + location.getByteOffset();
    }
}
