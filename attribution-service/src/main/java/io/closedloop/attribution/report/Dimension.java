package io.closedloop.attribution.report;

/** What an attribution report groups touch credits by. */
public enum Dimension {
    CHANNEL,
    SOURCE,
    MEDIUM,
    CAMPAIGN,
    CONTENT,
    TOUCH_TYPE;

    /** The group key of a touch without a value in the grouping dimension. */
    public static final String NO_VALUE = "(none)";

    /** The spend table's column of this dimension; null where spend has none (content, touch types). */
    public String spendColumn() {
        return switch (this) {
            case CHANNEL, SOURCE, MEDIUM, CAMPAIGN -> name().toLowerCase();
            case CONTENT, TOUCH_TYPE -> null;
        };
    }
}
