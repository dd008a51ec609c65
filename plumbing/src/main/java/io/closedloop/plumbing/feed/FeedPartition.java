package io.closedloop.plumbing.feed;

/**
 * Which share of a stream a consumer reads (docs/feeds.md "Partitions"): the items whose partition (a hash of the
 * workspace and the item's partition key) modulo {@code count} is {@code index}. {@link #ALL} is the whole stream.
 */
public record FeedPartition(int index, int count) {

    /** The most partitions a stream may be read in. */
    public static final int MAX_COUNT = 1024;
    public static final FeedPartition ALL = new FeedPartition(0, 1);

    public FeedPartition {
        if (count < 1 || count > MAX_COUNT || index < 0 || index >= count) {
            throw new IllegalArgumentException("partition: must be i/n with 1 <= n <= " + MAX_COUNT + " and 0 <= i < n, was "
                    + index + "/" + count);
        }
    }

    /** Parses {@code i/n} from a request; null or empty means {@link #ALL}. */
    public static FeedPartition parse(String text) {
        if (text == null || text.isBlank()) {
            return ALL;
        }
        int slash = text.indexOf('/');
        try {
            if (slash < 0) {
                throw new NumberFormatException();
            }
            return new FeedPartition(Integer.parseInt(text.substring(0, slash).strip()), Integer.parseInt(text.substring(slash + 1).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("partition: '" + text + "' is not i/n (for example 0/4)");
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
