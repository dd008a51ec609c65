package io.closedloop.ingestion.service;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per workspace, in memory (per replica): {@code ratePerSecond} messages per
 * second sustained, bursts up to {@code burst}. A request is let through while the bucket is not
 * in debt and takes as many tokens as it has messages (so a big batch is never refused for its
 * size alone); once in debt, requests get 429 with Retry-After = the seconds until it is paid off.
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
     * Takes {@code messages} tokens from {@code key}'s bucket.
     *
     * @return 0 when the request may go on, else the seconds (at least 1) the caller should wait
     */
    public long acquire(String key, int messages, long nowNanos) {
        return take(key, messages, nowNanos);
    }

    /** Like {@link #acquire} without taking anything: whether {@code key} is in debt (a request refused before it is read). */
    public long debt(String key, long nowNanos) {
        return take(key, 0, nowNanos);
    }

    private long take(String key, int messages, long nowNanos) {
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            double elapsed = (nowNanos - bucket.refilledAt) / 1e9;
            if (elapsed > 0) {
                bucket.tokens = Math.min(burst, bucket.tokens + elapsed * ratePerSecond);
                bucket.refilledAt = nowNanos;
            }
            if (bucket.tokens < 0) {
                return Math.max(1, (long) Math.ceil(-bucket.tokens / ratePerSecond));
            }
            bucket.tokens -= messages;
            return 0;
        }
    }
}
