package io.closedloop.gateway.client;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AnswerCacheTest {

    private final AtomicInteger asked = new AtomicInteger();

    private Uni<String> ask(String answer) {
        return Uni.createFrom().item(() -> answer + " #" + asked.incrementAndGet());
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void theSameQuestionFromTheSameAccessIsAnsweredOnceWhileFresh() {
        AnswerCache cache = new AnswerCache(Duration.ofMinutes(1), 10);
        assertEquals("a #1", await(cache.get("ws1 [analyst]", "q", () -> ask("a"))));
        assertEquals("a #1", await(cache.get("ws1 [analyst]", "q", () -> ask("a"))));
        // Another workspace or other roles, or another question: asked again.
        assertEquals("a #2", await(cache.get("ws2 [analyst]", "q", () -> ask("a"))));
        assertEquals("a #3", await(cache.get("ws1 [viewer]", "q", () -> ask("a"))));
        assertEquals("b #4", await(cache.get("ws1 [analyst]", "q2", () -> ask("b"))));
    }

    @Test
    void callersAskingWhileTheQuestionIsBeingAnsweredShareTheOneCall() {
        AnswerCache cache = new AnswerCache(Duration.ofMinutes(1), 10);
        AtomicReference<UniEmitter<? super String>> pending = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cache.get("ws [analyst]", "slow", () -> Uni.createFrom().<String>emitter(e -> {
                calls.incrementAndGet();
                pending.set(e);
            })).subscribe().with(answers::add);
        }
        assertEquals(1, calls.get());
        pending.get().complete("answer");
        assertEquals(List.of("answer", "answer", "answer"), answers);
    }

    @Test
    void aFailureIsNotKept() {
        AnswerCache cache = new AnswerCache(Duration.ofMinutes(1), 10);
        assertThrows(SubgraphException.class, () -> await(cache.get("ws [analyst]", "q",
                () -> Uni.createFrom().failure(new SubgraphException("attribution-service answered HTTP 503")))));
        assertEquals("a #1", await(cache.get("ws [analyst]", "q", () -> ask("a"))));
    }

    @Test
    void anAnswerOlderThanMaxAgeIsAskedAgain() throws InterruptedException {
        AnswerCache cache = new AnswerCache(Duration.ofMillis(50), 10);
        assertEquals("a #1", await(cache.get("ws [analyst]", "q", () -> ask("a"))));
        Thread.sleep(120);
        assertEquals("a #2", await(cache.get("ws [analyst]", "q", () -> ask("a"))));
    }

    @Test
    void clearForgetsEveryAnswerAndZeroMaxAgeKeepsNone() {
        AnswerCache cache = new AnswerCache(Duration.ofMinutes(1), 10);
        assertEquals("a #1", await(cache.get("ws [analyst]", "q", () -> ask("a"))));
        cache.clear();
        assertEquals("a #2", await(cache.get("ws [analyst]", "q", () -> ask("a"))));

        AnswerCache off = new AnswerCache(Duration.ZERO, 10);
        assertEquals("a #3", await(off.get("ws [analyst]", "q", () -> ask("a"))));
        assertEquals("a #4", await(off.get("ws [analyst]", "q", () -> ask("a"))));
    }

    @Test
    void theOldestAnswerGoesFirstWhenFull() {
        AnswerCache cache = new AnswerCache(Duration.ofMinutes(1), 2);
        await(cache.get("ws", "q1", () -> ask("a")));
        await(cache.get("ws", "q2", () -> ask("b")));
        await(cache.get("ws", "q3", () -> ask("c")));
        assertEquals("b #2", await(cache.get("ws", "q2", () -> ask("b"))));
        assertEquals("a #4", await(cache.get("ws", "q1", () -> ask("a"))));
    }
}
