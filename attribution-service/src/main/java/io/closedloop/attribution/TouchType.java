package io.closedloop.attribution;

import org.eclipse.microprofile.graphql.Description;

/** The touch types of docs/feeds.md. */
@Description("What kind of interaction a touch is (docs/feeds.md).")
public enum TouchType {
    PAGE_VIEW,
    SCREEN_VIEW,
    FORM_FILL,
    EMAIL_CLICK,
    AD_CLICK,
    WEBINAR,
    EVENT,
    CALL,
    DIRECT_MAIL,
    SALES_OUTREACH,
    HOW_DID_YOU_HEAR,
    TRACK;

    /** The known types of feed values, in their order (one this version does not know is left out). */
    public static java.util.List<TouchType> of(java.util.List<String> values) {
        return values.stream().map(TouchType::of).filter(java.util.Objects::nonNull).toList();
    }

    /** Whether a feed value is a form fill: what the models' lead-creation fallback reads of a touch's type. */
    public static boolean isFormFill(String value) {
        return FORM_FILL.name().equals(value);
    }

    /** The type of a feed value, null for one this version does not know. */
    public static TouchType of(String value) {
        for (TouchType t : values()) {
            if (t.name().equals(value)) {
                return t;
            }
        }
        return null;
    }
}
