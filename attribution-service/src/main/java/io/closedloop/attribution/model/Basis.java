package io.closedloop.attribution.model;

/** Which moment a journey converts at (DESIGN §4). */
public enum Basis {
    /** The conversion point is the opportunity's creation. */
    PIPELINE,
    /** The conversion point is the opportunity's close (won deals only). */
    REVENUE
}
