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
}
