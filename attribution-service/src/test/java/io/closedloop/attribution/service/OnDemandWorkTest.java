package io.closedloop.attribution.service;

import io.closedloop.attribution.OnDemandLimitException;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On-demand reports: per workspace, a limit of reports computing, a bounded wait for a slot, a deadline, a share of time. */
class OnDemandWorkTest {

    @Test
    void aReportWaitsForItsWorkspacesSlotTheNextIsRefusedAndAnotherWorkspaceIsServed() throws Exception {
        OnDemandWork work = new OnDemandWork(1, 1, Duration.ofSeconds(30), 1, Duration.ofSeconds(100));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> first = work.run("busy", true, () -> Uni.createFrom().item("first"), item -> {
            running.countDown();
            await(release);
            return item;
        }).subscribeAsCompletionStage();
        assertTrue(running.await(10, TimeUnit.SECONDS));
        // The second waits for the slot (a dashboard asks several reports at once); a third finds the wait full.
        CompletableFuture<String> second = work.run("busy", true, () -> Uni.createFrom().item("second"), item -> item)
                .subscribeAsCompletionStage();
        OnDemandLimitException refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            try {
                work.run("busy", true, () -> Uni.createFrom().item("third"), item -> item).await().atMost(Duration.ofSeconds(10));
                Thread.sleep(20); // the second had not started waiting yet
            } catch (OnDemandLimitException e) {
                refused = e;
            }
        }
        assertTrue(refused != null && refused.getMessage().contains("1 waiting"), String.valueOf(refused));
        assertEquals("other", work.run("other", true, () -> Uni.createFrom().item("other"), item -> item).await().atMost(Duration.ofSeconds(10)));
        assertFalse(second.isDone(), "the second waits while the first computes");
        release.countDown();
        assertEquals("first", first.get(10, TimeUnit.SECONDS));
        assertEquals("second", second.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aComputationPastTheDeadlineFailsTheCaller() {
        OnDemandWork work = new OnDemandWork(1, 1, Duration.ofMillis(200), 1, Duration.ofSeconds(100));
        CountDownLatch release = new CountDownLatch(1);
        OnDemandLimitException late = assertThrows(OnDemandLimitException.class, () -> work.run("ws", true, () -> Uni.createFrom().item("x"),
                item -> {
                    await(release);
                    return item;
                }).await().atMost(Duration.ofSeconds(10)));
        assertTrue(late.getMessage().contains("longer than"), late.getMessage());
        release.countDown();
    }

    @Test
    void aWorkspaceOverItsShareOfTimeIsRefusedUntilPaidOffWhileAnotherIsServed() throws Exception {
        // A share of 0.1 s per second after a burst of 0.2 s: one report of 0.4 s puts the workspace 0.2 s in debt (2 s, and
        // a little more for the time around the computation).
        OnDemandWork work = new OnDemandWork(2, 8, Duration.ofSeconds(30), 0.1, Duration.ofMillis(200));
        assertEquals("slow", work.run("heavy", true, () -> Uni.createFrom().item("slow"), item -> {
            sleep(400);
            return item;
        }).await().atMost(Duration.ofSeconds(10)));
        OnDemandLimitException refused = assertThrows(OnDemandLimitException.class,
                () -> work.run("heavy", true, () -> Uni.createFrom().item("x"), item -> item).await().atMost(Duration.ofSeconds(10)));
        java.util.regex.Matcher retry = java.util.regex.Pattern.compile("retry in (\\d+) s").matcher(refused.getMessage());
        assertTrue(refused.getMessage().contains("share") && retry.find(), refused.getMessage());
        int seconds = Integer.parseInt(retry.group(1));
        assertTrue(seconds >= 2 && seconds <= 4, refused.getMessage());
        assertEquals("other", work.run("other", true, () -> Uni.createFrom().item("other"), item -> item).await().atMost(Duration.ofSeconds(10)));
        sleep(seconds * 1000L + 100);
        assertEquals("again", work.run("heavy", true, () -> Uni.createFrom().item("again"), item -> item).await().atMost(Duration.ofSeconds(10)));
    }

    @Test
    void aReportQueuedBehindItsWorkspacesOwnFindsTheShareSpentAndWorkNotChosenIsNotCharged() throws Exception {
        OnDemandWork work = new OnDemandWork(1, 8, Duration.ofSeconds(30), 0.1, Duration.ofMillis(200));
        // Not charged (a standard report while the rollups are rebuilt): the share stays whole.
        assertEquals("rebuilding", work.run("ws", false, () -> Uni.createFrom().item("rebuilding"), item -> {
            sleep(400);
            return item;
        }).await().atMost(Duration.ofSeconds(10)));
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<String> first = work.run("ws", true, () -> Uni.createFrom().item("first"), item -> {
            running.countDown();
            sleep(400);
            return item;
        }).subscribeAsCompletionStage();
        assertTrue(running.await(10, TimeUnit.SECONDS), "the first was admitted: the uncharged run left the share whole");
        // Asked while the share was still whole, it waits for the permit and finds the share spent when its turn comes.
        CompletableFuture<String> queued = work.run("ws", true, () -> Uni.createFrom().item("queued"), item -> item)
                .subscribeAsCompletionStage();
        assertEquals("first", first.get(10, TimeUnit.SECONDS));
        java.util.concurrent.ExecutionException refused = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> queued.get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof OnDemandLimitException && refused.getCause().getMessage().contains("share"),
                String.valueOf(refused.getCause()));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
