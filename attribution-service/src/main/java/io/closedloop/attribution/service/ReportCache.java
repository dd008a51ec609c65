package io.closedloop.attribution.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashMap;
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

    private record Answer(String workspace, String version, Object value) {
    }

    private final int capacity;
    private final Map<String, Answer> answers;
    /** Each workspace's version of its answers last kept. */
    private final Map<String, String> versions = new HashMap<>();

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
     * The answer kept for {@code key} of {@code workspace} when it was computed at {@code version}; otherwise computes it
     * and keeps it. The answer must not be changed by its users (records of immutable lists). Keeping an answer of a new
     * version lets the workspace's answers of other versions go at once: they are never served again, and an answer may
     * hold on to the structures it was computed from (a report's page figures).
     */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> get(String workspace, String key, String version, Supplier<Uni<T>> compute) {
        if (capacity == 0) {
            return compute.get();
        }
        String entry = workspace + "|" + key;
        Answer kept;
        synchronized (answers) {
            kept = answers.get(entry);
        }
        if (kept != null && kept.version().equals(version)) {
            return Uni.createFrom().item((T) kept.value());
        }
        return compute.get().invoke(value -> {
            synchronized (answers) {
                if (!version.equals(versions.put(workspace, version))) {
                    answers.values().removeIf(a -> a.workspace().equals(workspace) && !a.version().equals(version));
                }
                answers.put(entry, new Answer(workspace, version, value));
            }
        });
    }
}
