package io.closedloop.attribution.service;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReportCacheTest {

    private final AtomicInteger computed = new AtomicInteger();

    private String ask(ReportCache cache, String workspace, String key, String version) {
        return cache.get(workspace, key, version, () -> Uni.createFrom().item(() -> key + "@" + version + "#" + computed.incrementAndGet()))
                .await().indefinitely();
    }

    @Test
    void anAnswerIsServedWhileItsVersionIsCurrentAndTheWorkspacesOlderAnswersGoWhenANewVersionIsKept() {
        ReportCache cache = new ReportCache(100);
        assertEquals("a@v1#1", ask(cache, "ws", "a", "v1"));
        assertEquals("a@v1#1", ask(cache, "ws", "a", "v1"));
        assertEquals("b@v1#2", ask(cache, "ws", "b", "v1"));
        assertEquals("a@v1#3", ask(cache, "other", "a", "v1"));
        // a new version of ws: its answers of v1 go (b is computed again even when asked at v1), other's stay
        assertEquals("a@v2#4", ask(cache, "ws", "a", "v2"));
        assertEquals("b@v1#5", ask(cache, "ws", "b", "v1"));
        assertEquals("a@v1#3", ask(cache, "other", "a", "v1"));
    }
}
