package io.closedloop.plumbing.feed;

import io.smallrye.mutiny.Uni;

/**
 * Where a {@link FeedConsumer} reads its pages from: the producer's feed endpoint over HTTP ({@link FeedClient}, the
 * PostgreSQL transport) or the stream's Kafka topic ({@link KafkaFeedSource}). Either way a page holds the items of
 * one partition after {@code after}, in the stream's order, and a cursor the consumer stores with the page's effects.
 */
public interface FeedSource {

    Uni<FeedPage> fetch(String stream, FeedPartition partition, String after, int limit);

    /**
     * {@link #fetch}, the producer asked to hold a read that finds nothing new for up to {@code waitMillis}, until the
     * stream's next commit (docs/feeds.md "Waiting"); a source that cannot wait answers at once.
     */
    default Uni<FeedPage> fetch(String stream, FeedPartition partition, String after, int limit, long waitMillis) {
        return fetch(stream, partition, after, limit);
    }
}
