package io.closedloop.attribution.report;

/** What an attribution report groups touch credits by. */
public enum Dimension {
    CHANNEL,
    SOURCE,
    MEDIUM,
    CAMPAIGN,
    CONTENT,
    TOUCH_TYPE
}
