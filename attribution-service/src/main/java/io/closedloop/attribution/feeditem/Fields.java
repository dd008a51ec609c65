package io.closedloop.attribution.feeditem;

import io.closedloop.plumbing.feed.FeedItem;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** How feed items' fields are read: one rule each for times, dates, amounts and blanks, and for reporting an item left out. */
public final class Fields {

    private static final Logger LOG = Logger.getLogger(Fields.class);

    private Fields() {
    }

    /** The instant as ISO-8601 in UTC, or null when absent or unparseable. */
    public static String instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text).toString();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public static boolean isDecimal(String text) {
        if (text == null) {
            return false;
        }
        try {
            new BigDecimal(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public static boolean isDate(String text) {
        if (text == null) {
            return false;
        }
        try {
            LocalDate.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    public static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Logs an item left out by its sequence number and the field that made it unusable (never its values). */
    public static void skip(FeedItem item, String stream, String field) {
        LOG.warnf("%s item seq %d of workspace %s skipped: unusable %s", stream, item.seq(), item.workspace(), field);
    }
}
