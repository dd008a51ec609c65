package io.closedloop.attribution.recompute;

import io.closedloop.attribution.journey.AccountState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads an {@link AccountStream} on a thread of its own, a few batches ahead of the caller, so
 * that decoding the rows and computing the credits use two cores instead of one; accounts come
 * out in stream order, so the sums (and their rounding) are the same as reading in line. Memory
 * stays bounded: at most {@value #BATCHES} batches of {@value #BATCH} accounts wait.
 */
final class ReadAhead implements AutoCloseable {

    private static final int BATCH = 256;
    private static final int BATCHES = 4;
    private static final List<AccountState> END = List.of();

    private final BlockingQueue<List<AccountState>> queue = new ArrayBlockingQueue<>(BATCHES);
    private final Thread reader;
    private volatile boolean stopped;
    private volatile Throwable failure;
    /** CPU seconds the reading thread used (set when it ends; for the benchmark). */
    volatile double readerCpuSeconds;
    private Iterator<AccountState> batch = END.iterator();
    private boolean ended;

    ReadAhead(AccountStream accounts, String name) {
        reader = new Thread(() -> {
            try {
                List<AccountState> next = new ArrayList<>(BATCH);
                for (AccountState a = accounts.next(); a != null && !stopped; a = accounts.next()) {
                    next.add(a);
                    if (next.size() == BATCH) {
                        put(next);
                        next = new ArrayList<>(BATCH);
                    }
                }
                put(next);
            } catch (IOException | RuntimeException | Error e) {
                failure = e; // an Error too: the caller must fail, not take a short stream for the whole
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                readerCpuSeconds = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
                try {
                    put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
    }

    private void put(List<AccountState> accounts) throws InterruptedException {
        while (!stopped && !queue.offer(accounts, 100, TimeUnit.MILLISECONDS)) {
            // waiting for the consumer, or for close()
        }
    }

    /** The next account, or null at the end. */
    AccountState next() throws IOException {
        while (!batch.hasNext()) {
            if (ended) {
                return null;
            }
            List<AccountState> accounts;
            try {
                accounts = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading accounts", e);
            }
            if (accounts == END) {
                ended = true;
                if (failure != null) {
                    throw failure instanceof IOException io ? io : new IOException(failure);
                }
                return null;
            }
            batch = accounts.iterator();
        }
        return batch.next();
    }

    /** Stops the reader (it ends within about 100 ms, or when its stream ends); the stream is the caller's to close. */
    @Override
    public void close() {
        stopped = true;
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
