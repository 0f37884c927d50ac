package com.ltxgateway;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop an instance runs over a shared work table: claim as many due items as it has free slots, handle each on
 * its own virtual thread, and claim again at once while claims come back full (the instance is behind); otherwise
 * wait for the idle interval or a wake-up. Claims are leases in the database: a heartbeat renews the leases of the
 * items being handled, so a slow item keeps its claim, while whatever a dead instance held is taken over by another
 * once its lease runs out. Handlers log their own failures.
 * <p>
 * Stopping stops claiming, gives the items under way {@code stopGrace} to finish (the heartbeat goes on meanwhile),
 * then interrupts the rest and hands their claims back, so another instance can take them at once.
 */
public final class ClaimLoop<T> {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    /** How long interrupted handlers get to record what they were doing before their claims are handed back. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    /** The work table, as the loop sees it. */
    public interface Work<T> {

        /** Claims at most {@code limit} due items for this instance. */
        List<T> claim(int limit);

        void handle(T item);

        /** Renews the leases of the items still being handled. */
        default void renew(List<T> inFlight) {
        }

        /** Gives back the leases of items whose handling a stop cut short. */
        default void handBack(List<T> unfinished) {
        }
    }

    private final String name;
    private final int batchSize;
    private final Duration idleInterval;
    private final Duration renewInterval;
    private final Duration stopGrace;
    private final Work<T> work;
    private final Semaphore slots;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Set<T> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread loop;
    private ExecutorService workers;
    private ScheduledExecutorService heartbeat;

    /**
     * @param renewInterval how often the leases of items under way are renewed; well under the lease
     * @param stopGrace how long a stop waits for items under way before it interrupts them
     */
    public ClaimLoop(String name, int concurrency, int batchSize, Duration idleInterval, Duration renewInterval,
            Duration stopGrace, Work<T> work) {
        this.name = name;
        this.batchSize = batchSize;
        this.idleInterval = idleInterval;
        this.renewInterval = renewInterval;
        this.stopGrace = stopGrace;
        this.work = work;
        this.slots = new Semaphore(concurrency);
    }

    public void start() {
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory());
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name + "-heartbeat").daemon().factory());
        heartbeat.scheduleWithFixedDelay(this::renew, renewInterval.toMillis(), renewInterval.toMillis(), TimeUnit.MILLISECONDS);
        loop = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    public void stop() {
        running = false;
        if (loop == null) {
            return;
        }
        wakeUp();
        try {
            loop.join(idleInterval.toMillis() + 5_000);
            workers.shutdown();
            if (!workers.awaitTermination(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{}: {} item(s) still under way after {}; interrupting them", name, inFlight.size(), stopGrace);
                workers.shutdownNow();
                workers.awaitTermination(INTERRUPT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        heartbeat.shutdownNow();
        List<T> unfinished = List.copyOf(inFlight);
        if (!unfinished.isEmpty()) {
            try {
                work.handBack(unfinished);
            }
            catch (RuntimeException e) {
                log.warn("{} could not hand back {} claim(s); they are taken over when their leases run out: {}", name,
                        unfinished.size(), e.getMessage());
            }
        }
    }

    /**
     * Stops on a thread of its own and then runs {@code callback}: the stops of the loops an instance runs overlap, so
     * stopping takes as long as the longest grace, not their sum.
     */
    public void stop(Runnable callback) {
        Thread.ofPlatform().name(name + "-stop").start(() -> {
            try {
                stop();
            }
            finally {
                callback.run();
            }
        });
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
                List<T> claimed = work.claim(free);
                for (T item : claimed) {
                    slots.acquire();
                    inFlight.add(item);
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
            work.handle(item);
        }
        finally {
            inFlight.remove(item);
            slots.release();
        }
    }

    private void renew() {
        List<T> items = List.copyOf(inFlight);
        if (items.isEmpty()) {
            return;
        }
        try {
            work.renew(items);
        }
        catch (RuntimeException e) {
            // Nothing is lost: every write of a handler checks its lease, and an expired one is taken over.
            log.warn("{} could not renew {} lease(s): {}", name, items.size(), e.getMessage());
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
