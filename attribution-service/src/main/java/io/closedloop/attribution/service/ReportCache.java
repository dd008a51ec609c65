package io.closedloop.attribution.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Answers a report asked again from memory while the data under it is unchanged: each answer is
 * kept with the version of the data it was computed from (the rollups' generation and last change,
 * read from {@code rollup_state} on every request, so every replica sees every change), and served
 * only while that version is still current. Dashboards ask the same few reports over and over;
 * the data changes when feed pages arrive. At most {@code closedloop.reports.cache-entries}
 * answers, least recently used out first; 0 turns the cache off.
 */
@ApplicationScoped
public class ReportCache {

    private record Answer(String version, Object value) {
    }

    private final int capacity;
    private final Map<String, Answer> answers;

    public ReportCache(@ConfigProperty(name = "closedloop.reports.cache-entries", defaultValue = "1000") int capacity) {
        this.capacity = capacity;
        this.answers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
                return size() > ReportCache.this.capacity;
            }
        };
    }

    /**
     * The answer kept for {@code key} when it was computed at {@code version}; otherwise computes
     * it and keeps it. The answer must not be changed by its users (records of immutable lists).
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> get(String key, String version, Supplier<Uni<T>> compute) {
        if (capacity == 0) {
            return compute.get();
        }
        Answer kept;
        synchronized (answers) {
            kept = answers.get(key);
        }
        if (kept != null && kept.version().equals(version)) {
            return Uni.createFrom().item((T) kept.value());
        }
        return compute.get().invoke(value -> {
            synchronized (answers) {
                answers.put(key, new Answer(version, value));
            }
        });
    }
}
