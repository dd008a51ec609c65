package io.closedloop.attribution.report;

import java.time.Instant;
import java.util.List;

/**
 * Where a page of touches, newest first then by id descending, continues: after the touch at {@code at} with id
 * {@code id} (dataQualityTouches, Person.touches).
 */
public record TouchCursor(Instant at, String id) {

    /** The cursor {@code after} (null: none); IllegalArgumentException naming {@code field} when it is none this API returned. */
    public static TouchCursor of(String field, String after) {
        if (after == null) {
            return null;
        }
        List<String> key = Paging.decode(field, after);
        if (key.size() != 2 || key.get(1) == null) {
            throw Paging.notACursor(field, after);
        }
        return new TouchCursor(Paging.instant(field, after, key.get(0)), key.get(1));
    }

    /** The cursor of the page that ends with {@code touch}. */
    public static String encode(ReportViews.QualityTouch touch) {
        return Paging.encode(List.of(touch.occurredAt(), touch.touchId()));
    }
}
