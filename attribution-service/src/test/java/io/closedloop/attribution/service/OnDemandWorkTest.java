package io.closedloop.attribution.service;

import io.closedloop.attribution.OnDemandLimitException;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On-demand reports: a per-workspace limit of computations running and a deadline; other workspaces unaffected. */
class OnDemandWorkTest {

    @Test
    void aWorkspaceAtItsLimitIsRefusedWhileAnotherIsServed() throws Exception {
        OnDemandWork work = new OnDemandWork(1, Duration.ofSeconds(30));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = work.run("busy", () -> {
            running.countDown();
            await(release);
            return "first";
        }).subscribeAsCompletionStage();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        OnDemandLimitException refused = assertThrows(OnDemandLimitException.class,
                () -> work.run("busy", () -> "second").await().atMost(Duration.ofSeconds(10)));
        assertTrue(refused.getMessage().contains("already has 1 reports computing"), refused.getMessage());
        assertEquals("other", work.run("other", () -> "other").await().atMost(Duration.ofSeconds(10)));
        release.countDown();
        assertEquals("first", first.get(10, TimeUnit.SECONDS));
        assertEquals("third", work.run("busy", () -> "third").await().atMost(Duration.ofSeconds(10)), "the permit came back");
    }

    @Test
    void aComputationPastTheDeadlineFailsTheCallerAndFreesItsPermitWhenItEnds() throws Exception {
        OnDemandWork work = new OnDemandWork(1, Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);
        Uni<String> slow = work.run("ws", () -> {
            await(release);
            return "late";
        });
        OnDemandLimitException late = assertThrows(OnDemandLimitException.class, () -> slow.await().atMost(Duration.ofSeconds(10)));
        assertTrue(late.getMessage().contains("longer than"), late.getMessage());
        release.countDown();
        // The permit is released when the computation itself ends.
        for (int i = 0; i < 100; i++) {
            try {
                assertEquals("next", work.run("ws", () -> "next").await().atMost(Duration.ofSeconds(10)));
                return;
            } catch (OnDemandLimitException stillRunning) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the permit never came back");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
