package io.closedloop.plumbing.tenancy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenTheKeyWaitsUntilItsDebtIsPaid() {
        RateLimiter limiter = new RateLimiter(100, 500);
        assertEquals(0, limiter.acquire("k", 400, 0));
        assertEquals(0, limiter.acquire("k", 400, 0), "not in debt yet: a big batch is never refused for its size alone");
        // 300 in debt at 100/s: 3 s to wait.
        assertEquals(3, limiter.acquire("k", 1, 0));
        assertEquals(1, limiter.acquire("k", 1, 2 * SECOND + SECOND / 2));
        assertEquals(0, limiter.acquire("k", 1, 3 * SECOND));
    }

    @Test
    void debtTellsTheWaitWithoutTakingAnything() {
        RateLimiter limiter = new RateLimiter(100, 100);
        assertEquals(0, limiter.debt("k", 0));
        assertEquals(0, limiter.acquire("k", 300, 0));
        assertEquals(2, limiter.debt("k", 0));
        assertEquals(2, limiter.debt("k", 0), "asking takes nothing");
        assertEquals(0, limiter.debt("k", 2 * SECOND));
    }

    @Test
    void workMeasuredOnceDoneIsChargedEvenInDebt() {
        RateLimiter limiter = new RateLimiter(0.5, 2);
        limiter.charge("w", 3, 0);
        limiter.charge("w", 3, 0);
        // 4 s of work in debt at half a second per second: 8 s to wait.
        assertEquals(8, limiter.debt("w", 0));
        assertEquals(1, limiter.debt("w", 7 * SECOND + SECOND / 2));
        assertEquals(0, limiter.debt("w", 8 * SECOND));
    }

    @Test
    void keysHaveTheirOwnBucketsAndRefillUpToTheBurst() {
        RateLimiter limiter = new RateLimiter(10, 20);
        assertEquals(0, limiter.acquire("a", 25, 0));
        assertEquals(1, limiter.acquire("a", 1, 0));
        assertEquals(0, limiter.acquire("b", 1, 0));
        assertEquals(0, limiter.acquire("a", 20, 1000 * SECOND), "a long pause refills to the burst, no further");
        assertEquals(0, limiter.acquire("a", 1, 1000 * SECOND));
        assertEquals(1, limiter.acquire("a", 1, 1000 * SECOND));
    }
}
