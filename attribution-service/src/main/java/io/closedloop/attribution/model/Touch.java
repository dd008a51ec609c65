package io.closedloop.attribution.model;

import java.util.Objects;

/**
 * One recorded marketing or sales interaction (DESIGN §0), reduced to what the models need.
 *
 * @param id          the touch id; ties in time are broken by this id compared by code point
 * @param epochMillis when the touch happened, milliseconds since the epoch (UTC); a long keeps
 *                    sorting and window checks free of object allocation
 * @param channel     the channel after taxonomy mapping (DESIGN §3), e.g. {@code "paid search"},
 *                    {@code "direct"}
 * @param formFill    whether the touch is of type form fill (LC falls back to the first one)
 */
public record Touch(String id, long epochMillis, String channel, boolean formFill) {

    public Touch {
        Objects.requireNonNull(id, "touch id");
        Objects.requireNonNull(channel, "touch channel");
    }

    /** A touch that is not a form fill. */
    public static Touch of(String id, long epochMillis, String channel) {
        return new Touch(id, epochMillis, channel, false);
    }
}
