package io.closedloop.ingestion.taxonomy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One rule of a channel taxonomy: the channel it assigns and conditions on a touch's attributes,
 * each a case-insensitive regular expression that must match the attribute's whole value (an
 * absent value is the empty string). All conditions must match; a rule without conditions
 * matches every touch (a catch-all, usually last).
 */
public final class ChannelRule {

    /** What a condition can look at. */
    public enum Attribute {
        /** The normalized UTM source, or the source derived from a click id or the referrer. */
        SOURCE("source"),
        MEDIUM("medium"),
        CAMPAIGN("campaign"),
        CONTENT("content"),
        TERM("term"),
        /** The referrer's host, e.g. {@code www.g2.com}. */
        REFERRER_HOST("referrerHost"),
        /** The name of a click id the touch carries (gclid, fbclid, li_fat_id, msclkid, ...): matches if any does. */
        CLICK_ID("clickId"),
        /** SEARCH, SOCIAL, VIDEO or SHOPPING: the kind of site the source is ({@link SourceCategory}). */
        SOURCE_CATEGORY("sourceCategory");

        private final String field;

        Attribute(String field) {
            this.field = field;
        }

        /** The name used in JSON and GraphQL. */
        public String field() {
            return field;
        }
    }

    public static final Pattern CHANNEL_NAME = Pattern.compile("[a-z][a-z0-9_]{0,49}");
    public static final int MAX_EXPRESSION_LENGTH = 500;

    private final String channel;
    private final Map<Attribute, String> expressions;
    private final Map<Attribute, Pattern> patterns;

    private ChannelRule(String channel, Map<Attribute, String> expressions, Map<Attribute, Pattern> patterns) {
        this.channel = channel;
        this.expressions = expressions;
        this.patterns = patterns;
    }

    /**
     * A validated rule; {@code index} and the field names are used in errors.
     *
     * @param conditions attribute → regular expression; null values are ignored
     * @throws TaxonomyException naming {@code rules[index].field}
     */
    public static ChannelRule of(int index, String channel, Map<Attribute, String> conditions) {
        String prefix = "rules[" + index + "].";
        if (channel == null || !CHANNEL_NAME.matcher(channel).matches()) {
            throw new TaxonomyException(prefix + "channel: must be a lower-case name of letters, digits and '_' (at most 50), was "
                    + (channel == null ? "null" : "'" + channel + "'"));
        }
        Map<Attribute, String> expressions = new LinkedHashMap<>();
        Map<Attribute, Pattern> patterns = new LinkedHashMap<>();
        for (Attribute attribute : Attribute.values()) {
            String expression = conditions.get(attribute);
            if (expression == null) {
                continue;
            }
            if (expression.length() > MAX_EXPRESSION_LENGTH) {
                throw new TaxonomyException(prefix + attribute.field() + ": longer than " + MAX_EXPRESSION_LENGTH + " characters");
            }
            try {
                // RE2/J matches in time linear in the input: the rule is a tenant's, the values a visitor's.
                patterns.put(attribute, Pattern.compile(expression, Pattern.CASE_INSENSITIVE));
            } catch (PatternSyntaxException e) {
                throw new TaxonomyException(prefix + attribute.field() + ": not a valid regular expression (RE2 syntax: no"
                        + " backreferences or lookaround): " + e.getDescription());
            }
            expressions.put(attribute, expression);
        }
        return new ChannelRule(channel, Map.copyOf(expressions), patterns);
    }

    public String channel() {
        return channel;
    }

    /** The conditions as given (attribute → expression). */
    public Map<Attribute, String> expressions() {
        return expressions;
    }

    public boolean isCatchAll() {
        return patterns.isEmpty();
    }

    boolean matches(TouchAttributes touch) {
        for (Map.Entry<Attribute, Pattern> condition : patterns.entrySet()) {
            Pattern pattern = condition.getValue();
            if (condition.getKey() == Attribute.CLICK_ID) {
                boolean any = touch.clickIds().isEmpty() && pattern.matcher("").matches();
                for (String id : touch.clickIds()) {
                    any |= pattern.matcher(id).matches();
                }
                if (!any) {
                    return false;
                }
            } else {
                String value = touch.value(condition.getKey());
                if (!pattern.matcher(value == null ? "" : value).matches()) {
                    return false;
                }
            }
        }
        return true;
    }
}
