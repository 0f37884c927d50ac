package com.ltxgateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop an instance runs over a shared work table: claim as many due items as it has free slots, handle each on
 * its own virtual thread, and claim again at once while claims come back full (the instance is behind); otherwise
 * wait for the idle interval or a wake-up. Claims are leases in the database, so whatever a stopped or dead instance
 * still held is taken over by another once the lease runs out. Handlers log their own failures.
 */
public final class ClaimLoop<T> {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final String name;
    private final int batchSize;
    private final Duration idleInterval;
    private final IntFunction<List<T>> claim;
    private final Consumer<T> handler;
    private final Semaphore slots;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private ExecutorService workers;

    /**
     * @param claim claims at most the given number of due items for this instance
     */
    public ClaimLoop(String name, int concurrency, int batchSize, Duration idleInterval, IntFunction<List<T>> claim,
            Consumer<T> handler) {
        this.name = name;
        this.batchSize = batchSize;
        this.idleInterval = idleInterval;
        this.claim = claim;
        this.handler = handler;
        this.slots = new Semaphore(concurrency);
    }

    public void start() {
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory());
        loop = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Items still being handled after the grace period keep their claims until the lease runs out. */
    public void stop() {
        running = false;
        if (loop == null) {
            return;
        }
        wakeUp();
        try {
            loop.join(idleInterval.toMillis() + 5_000);
            workers.shutdown();
            workers.awaitTermination(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    public boolean isRunning() {
        return running;
    }

    /** Makes the loop claim now instead of at the end of its idle wait. */
    public void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    private void run() {
        while (running) {
            try {
                int free = Math.min(slots.availablePermits(), batchSize);
                if (free == 0) {
                    slots.acquire();
                    slots.release();
                    continue;
                }
                List<T> claimed = claim.apply(free);
                for (T item : claimed) {
                    slots.acquire();
                    workers.execute(() -> handle(item));
                }
                if (claimed.size() < free) {
                    wakeUps.tryAcquire(idleInterval.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                // The database may be restarting: back off; what was claimed comes back after its lease.
                log.warn("{} could not claim work: {}", name, e.getMessage());
                pause();
            }
        }
    }

    private void handle(T item) {
        try {
            handler.accept(item);
        }
        finally {
            slots.release();
        }
    }

    private void pause() {
        try {
            Thread.sleep(idleInterval.toMillis() * 4);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
