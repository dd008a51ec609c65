package io.closedloop.plumbing.tenancy;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per workspace, in memory (per replica): {@code ratePerSecond} units of work per second sustained (Segment
 * messages, seconds of on-demand computing), bursts up to {@code burst}. Work is let through while the bucket is not in
 * debt and takes as many tokens as it costs, even when it costs more than is left (so a big batch is never refused for its
 * size alone, and work measured only once done can be charged after it); once in debt, the workspace waits until it is
 * paid off. What keeps one workspace at its limit from taking the share of the others.
 */
public final class RateLimiter {

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }

    private final double ratePerSecond;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double ratePerSecond, double burst) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /**
     * Takes {@code amount} tokens from {@code key}'s bucket unless it is in debt.
     *
     * @return 0 when the work may go on (the tokens are taken), else the seconds (at least 1) the caller should wait
     */
    public long acquire(String key, double amount, long nowNanos) {
        return take(key, amount, nowNanos, false);
    }

    /** Takes {@code amount} tokens from {@code key}'s bucket even when it is in debt: work measured once it is done. */
    public void charge(String key, double amount, long nowNanos) {
        take(key, amount, nowNanos, true);
    }

    /** Like {@link #acquire} without taking anything: whether {@code key} is in debt (a request refused before it is read). */
    public long debt(String key, long nowNanos) {
        return take(key, 0, nowNanos, false);
    }

    private long take(String key, double amount, long nowNanos, boolean evenInDebt) {
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            double elapsed = (nowNanos - bucket.refilledAt) / 1e9;
            if (elapsed > 0) {
                bucket.tokens = Math.min(burst, bucket.tokens + elapsed * ratePerSecond);
                bucket.refilledAt = nowNanos;
            }
            if (bucket.tokens < 0 && !evenInDebt) {
                return Math.max(1, (long) Math.ceil(-bucket.tokens / ratePerSecond));
            }
            bucket.tokens -= amount;
            return 0;
        }
    }
}
