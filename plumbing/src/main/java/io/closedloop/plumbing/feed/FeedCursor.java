package io.closedloop.plumbing.feed;

/**
 * A position in a feed: the transaction id and sequence number of the last item read. Opaque to
 * consumers ({@code "<xid>.<seq>"}); the start of a feed is {@link #START}.
 */
public record FeedCursor(long xid, long seq) {

    public static final FeedCursor START = new FeedCursor(0, 0);

    /** Parses a cursor from a request; null or empty means the start. */
    public static FeedCursor parse(String text) {
        if (text == null || text.isBlank()) {
            return START;
        }
        int dot = text.indexOf('.');
        try {
            if (dot < 0) {
                throw new NumberFormatException();
            }
            return new FeedCursor(Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("after: '" + text + "' is not a cursor this feed returned");
        }
    }

    @Override
    public String toString() {
        return xid + "." + seq;
    }
}
