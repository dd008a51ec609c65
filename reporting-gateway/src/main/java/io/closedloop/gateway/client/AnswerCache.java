package io.closedloop.gateway.client;

import io.closedloop.gateway.config.SubgraphsConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps each report answer a subgraph gave for up to {@code closedloop.answer-cache.max-age} (1 s):
 * a dashboard opened by many people at once, or one asking the same report for several panels,
 * costs one subgraph call per report per second instead of one per request. Callers asking the same
 * question while it is being answered wait for that one call instead of sending their own.
 *
 * <p>The key holds the caller's workspace and roles, the only parts of a caller a subgraph's answer
 * depends on, so an answer is never served to a caller who could not have been given it. A
 * subgraph answer is served for at most max-age, and a whole query result built from one for at
 * most max-age more, so an answer is at most twice max-age older than attribution-service's data
 * (which itself trails the feeds); a change made through the gateway (a setting) empties the cache
 * at once. 0 turns the cache off. Callers that join a call on its way resume on the thread of the
 * caller who started it: read the request's {@code Caller} before asking, never after.
 * At most {@code closedloop.answer-cache.entries} answers, oldest out first; failures
 * are never kept. Two kinds of answer share it: whole query results ({@code graphql/CachedQueries},
 * which spares the gateway executing a document it just answered) and subgraph answers (ReportsApi,
 * which different documents asking the same report share).
 */
@ApplicationScoped
public class AnswerCache {

    /** An answer, or the call still answering it (not answered yet). */
    private static final class Entry {
        final Uni<Object> call;
        volatile Object value;
        volatile boolean answered;
        volatile long expiresAtNanos;

        Entry(Uni<Object> call) {
            this.call = call;
        }
    }

    private final long maxAgeNanos;
    private final int capacity;
    private final Map<String, Entry> entries;

    @Inject
    public AnswerCache(SubgraphsConfig config) {
        this(config.answerCache().maxAge(), config.answerCache().entries());
    }

    AnswerCache(Duration maxAge, int capacity) {
        this.maxAgeNanos = maxAge.toNanos();
        this.capacity = capacity;
        // Insertion order: the oldest answers are first, where expired ones are dropped (see get).
        this.entries = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The answer to {@code question} for a caller of {@code access} (workspace and roles), from memory
     * when it is fresh, else from {@code ask}. The answer must not be changed by its users.
     */
    public <T> Uni<T> get(String access, String question, Supplier<Uni<T>> ask) {
        return get(access, question, ask, answer -> true);
    }

    /** As {@link #get(String, String, Supplier)}, keeping only answers that pass {@code keep} (e.g. no errors). */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> get(String access, String question, Supplier<Uni<T>> ask, Predicate<T> keep) {
        if (maxAgeNanos == 0 || capacity == 0) {
            return ask.get();
        }
        String key = access + '\n' + question;
        long now = System.nanoTime();
        Entry entry;
        boolean asking = false;
        synchronized (entries) {
            entry = entries.get(key);
            if (entry == null || expired(entry, now)) {
                dropExpired(now);
                entry = new Entry(((Uni<Object>) ask.get()).memoize().indefinitely());
                entries.remove(key);
                entries.put(key, entry);
                asking = true;
            }
        }
        Object value = entry.value;
        if (value != null) {
            return Uni.createFrom().item((T) value);
        }
        if (asking) {
            Entry asked = entry;
            asked.call.subscribe().with(answer -> {
                if (keep.test((T) answer)) {
                    asked.value = answer;
                    asked.expiresAtNanos = System.nanoTime() + maxAgeNanos;
                    asked.answered = true;
                } else {
                    forget(key, asked);
                }
            }, failure -> forget(key, asked));
        }
        return (Uni<T>) entry.call;
    }

    /** Forgets every answer: something they depend on was just changed through the gateway. */
    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    private static boolean expired(Entry entry, long now) {
        return entry.answered && entry.expiresAtNanos - now < 0;
    }

    /**
     * Answers are kept about max-age, not until 1,000 others push them out: a custom-weights slider makes a new answer
     * per move, and holding those needlessly costs the garbage collector. Drops from the oldest until an entry that has
     * not expired (or is still being answered): entries expire roughly in the order they were added.
     */
    private void dropExpired(long now) {
        for (var oldest = entries.values().iterator(); oldest.hasNext(); ) {
            if (!expired(oldest.next(), now)) {
                return;
            }
            oldest.remove();
        }
    }

    private void forget(String key, Entry entry) {
        synchronized (entries) {
            entries.remove(key, entry);
        }
    }
}
