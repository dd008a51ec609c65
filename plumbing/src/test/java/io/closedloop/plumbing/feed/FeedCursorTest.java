package io.closedloop.plumbing.feed;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Positions of either transport: the HTTP feed's "xid.seq" and the Kafka consumer's "xid.seq.offset". */
class FeedCursorTest {

    @Test
    void aKafkaPositionIsItsStreamPositionToTheHttpFeedAndCarriesItsOffsetToTheTopic() {
        assertEquals(new FeedCursor(912, 46), FeedCursor.parse("912.46"));
        assertEquals(new FeedCursor(912, 46), FeedCursor.parse("912.46.7"));
        assertEquals(FeedCursor.START, FeedCursor.parse(""));
        assertEquals(7L, KafkaFeedSource.offsetIn("912.46.7"));
        assertNull(KafkaFeedSource.offsetIn("912.46"));
        assertNull(KafkaFeedSource.offsetIn(""));
        assertThrows(IllegalArgumentException.class, () -> FeedCursor.parse("912.46.x"));
        assertThrows(IllegalArgumentException.class, () -> FeedCursor.parse("912"));
    }

    @Test
    void positionsOrderByTransactionThenSequence() {
        assertTrue(new FeedCursor(5, 1).isAfter(new FeedCursor(4, 9)));
        assertTrue(new FeedCursor(5, 2).isAfter(new FeedCursor(5, 1)));
        assertFalse(new FeedCursor(5, 1).isAfter(new FeedCursor(5, 1)));
        assertFalse(FeedCursor.START.isAfter(new FeedCursor(0, 1)));
    }
}
