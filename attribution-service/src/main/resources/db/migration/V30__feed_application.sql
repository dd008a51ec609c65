-- Items and pages each replica (a lease owner, named anew at each start) applied per feed partition, written with the
-- position in the page's transaction (plumbing FeedConsumer): summed over the owners, a stream's items, if each was
-- applied exactly once.
create table feed_application (
    stream text not null,
    owner  text not null,
    pages  bigint not null,
    items  bigint not null,
    primary key (stream, owner)
);
