package com.ltxgateway;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The loop an instance runs over a shared work table: claim as many due items as it has free slots, handle each on
 * its own virtual thread, and claim again at once while claims come back full (the instance is behind); otherwise
 * wait for the idle interval or a wake-up. Claims are leases in the database, taken in the name of {@link #owner()}:
 * a heartbeat renews the leases of the items being handled, so a slow item keeps its claim, while whatever a dead
 * instance held is taken over by another once its lease runs out. Handlers log their own failures.
 * <p>
 * The loop is part of the application's lifecycle: it starts after the web server and the database pool and stops
 * before them. Stopping stops claiming, gives the items under way {@code stopGrace} to finish (the heartbeat goes on
 * meanwhile), then interrupts the rest and hands their claims back, so another instance can take them at once. The
 * loops of one instance stop side by side, so stopping takes as long as the longest grace, not their sum.
 * <p>
 * {@link #runOnce()} does one round on the caller's thread instead, for whoever drives a loop that is not started.
 */
public abstract class ClaimLoop<T> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    /** How long interrupted handlers get to record what they were doing before their claims are handed back. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final String owner = newOwner();
    private final int batchSize;
    private final Duration idleInterval;
    private final Duration renewInterval;
    private final Duration stopGrace;
    private final Semaphore slots;
    private final Semaphore wakeUps = new Semaphore(0);
    private final Set<T> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread loop;
    private ExecutorService workers;
    private ScheduledExecutorService heartbeat;

    /**
     * @param name names the loop's threads and its lines in the log
     * @param renewInterval how often the leases of items under way are renewed; well under the lease
     * @param stopGrace how long a stop waits for items under way before it interrupts them
     */
    protected ClaimLoop(String name, int concurrency, int batchSize, Duration idleInterval, Duration renewInterval,
            Duration stopGrace) {
        this.name = name;
        this.batchSize = batchSize;
        this.idleInterval = idleInterval;
        this.renewInterval = renewInterval;
        this.stopGrace = stopGrace;
        this.slots = new Semaphore(concurrency);
    }

    /** Claims at most {@code limit} due items for {@code owner}. */
    protected abstract List<T> claim(String owner, int limit);

    protected abstract void handle(T item);

    /** Renews the leases of the items still being handled. */
    protected void renew(List<T> inFlight) {
    }

    /** Gives back the leases of items whose handling a stop cut short. */
    protected void handBack(List<T> unfinished) {
    }

    /** Whether this instance runs the loop at all; a subclass that says no says why in the log. */
    protected boolean runsHere() {
        return true;
    }

    /**
     * Whom this loop's claims name: the host name (a pod's name in Kubernetes) and a random suffix, so a restarted
     * process is told from its predecessor whose claims may still be in the database.
     */
    public final String owner() {
        return owner;
    }

    /** Makes the loop claim now instead of at the end of its idle wait. */
    public final void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /**
     * One round on the caller's thread: claims a batch and handles its items one after the other. For a loop that is
     * not started. Returns how many items it handled.
     */
    public final int runOnce() {
        List<T> claimed = claim(owner, batchSize);
        for (T item : claimed) {
            inFlight.add(item);
            try {
                handle(item);
            }
            finally {
                inFlight.remove(item);
            }
        }
        return claimed.size();
    }

    @Override
    public final void start() {
        if (!runsHere()) {
            return;
        }
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-", 0).factory());
        heartbeat = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name + "-heartbeat").daemon().factory());
        heartbeat.scheduleWithFixedDelay(this::renewInFlight, renewInterval.toMillis(), renewInterval.toMillis(), TimeUnit.MILLISECONDS);
        loop = Thread.ofPlatform().name(name).daemon().start(this::run);
        log.info("{} started as {}", name, owner);
    }

    @Override
    public final void stop() {
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
        loop = null;
        List<T> unfinished = List.copyOf(inFlight);
        if (!unfinished.isEmpty()) {
            try {
                handBack(unfinished);
            }
            catch (RuntimeException e) {
                log.warn("{} could not hand back {} claim(s); they are taken over when their leases run out: {}", name,
                        unfinished.size(), e.getMessage());
            }
        }
        log.info("{} {} stopped", name, owner);
    }

    /** Stops on a thread of its own, so that the loops of one instance wait out their graces side by side. */
    @Override
    public final void stop(Runnable callback) {
        Thread.ofPlatform().name(name + "-stop").start(() -> {
            try {
                stop();
            }
            finally {
                callback.run();
            }
        });
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    @Override
    public final int getPhase() {
        // Stop before the web server and the database pool go away, start after them.
        return SmartLifecycle.DEFAULT_PHASE - 1024;
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
                List<T> claimed = claim(owner, free);
                for (T item : claimed) {
                    slots.acquire();
                    inFlight.add(item);
                    workers.execute(() -> handleInSlot(item));
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

    private void handleInSlot(T item) {
        try {
            handle(item);
        }
        finally {
            inFlight.remove(item);
            slots.release();
        }
    }

    private void renewInFlight() {
        List<T> items = List.copyOf(inFlight);
        if (items.isEmpty()) {
            return;
        }
        try {
            renew(items);
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

    private static String newOwner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (IOException e) {
            host = "gateway";
        }
        return host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
