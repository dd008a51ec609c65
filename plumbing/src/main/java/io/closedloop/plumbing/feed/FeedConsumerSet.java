package io.closedloop.plumbing.feed;

import java.util.List;

/** A service's feed consumers, as FeedsReadiness sees them (identity's and attribution's consumer beans). */
public interface FeedConsumerSet {

    List<FeedConsumer> consumers();
}
