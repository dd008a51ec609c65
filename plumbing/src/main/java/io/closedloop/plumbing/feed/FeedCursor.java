package io.closedloop.plumbing.feed;

/**
 * A position in a feed: the transaction id and sequence number of the last item read. Opaque to
 * consumers ({@code "<xid>.<seq>"}); the start of a feed is {@link #START}. A position a consumer stored while reading
 * the stream's Kafka topic carries the topic's offset after it ({@code "<xid>.<seq>.<offset>"}, {@link KafkaFeedSource}),
 * which the feed endpoint passes over: either transport resumes where the other stopped.
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
            int end = text.indexOf('.', dot + 1);
            if (end >= 0) {
                Long.parseLong(text.substring(end + 1)); // a Kafka offset: checked, not needed here
            }
            return new FeedCursor(Long.parseLong(text.substring(0, dot)),
                    Long.parseLong(text.substring(dot + 1, end < 0 ? text.length() : end)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("after: '" + text + "' is not a cursor this feed returned");
        }
    }

    /** True when this position lies after {@code other} in the stream's (xid, seq) order. */
    public boolean isAfter(FeedCursor other) {
        return xid != other.xid ? xid > other.xid : seq > other.seq;
    }

    @Override
    public String toString() {
        return xid + "." + seq;
    }
}
