-- Where the Kafka relay (closedloop.feeds.transport=kafka) stands in each stream: stored after Kafka acknowledged a page.
create table feed_relay (
    stream text primary key,
    cursor text not null
);
