package com.ltxgateway.tracking;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How many of fal's deliveries an instance receives at once. Requests run on virtual threads, so nothing else bounds
 * them: when the database is slow to hand out connections, deliveries wait, fal gives up on their answer and delivers
 * again while the first ones still wait, and each waiting request holds a connection and its buffers until the
 * instance runs out of connections (Tomcat's 8,192) or heap. A delivery past the bound waits a moment for a place and
 * is then refused ({@link FalWebhooksBusy}), which ends its request at once.
 */
@Component
class FalWebhookIntake {

    private final Semaphore places;
    private final Duration wait;

    @Autowired
    FalWebhookIntake(TrackerProperties properties) {
        this(properties.falWebhooksInFlight(), properties.falWebhookWait());
    }

    FalWebhookIntake(int inFlight, Duration wait) {
        this.places = new Semaphore(inFlight);
        this.wait = wait;
    }

    /**
     * Whether every place is taken: fal reports faster than the instance takes its reports in, and the tracker steps
     * aside for the deliveries as it does for callers, before fal gives up on their answers and delivers them again.
     */
    boolean full() {
        return places.availablePermits() == 0;
    }

    /** Runs {@code receive} in a place, or refuses the delivery once the wait for one is over. */
    void receive(Runnable receive) {
        boolean entered;
        try {
            entered = places.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FalWebhooksBusy();
        }
        if (!entered) {
            throw new FalWebhooksBusy();
        }
        try {
            receive.run();
        }
        finally {
            places.release();
        }
    }
}
