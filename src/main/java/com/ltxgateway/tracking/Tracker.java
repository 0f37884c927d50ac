package com.ltxgateway.tracking;

import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.ltxgateway.LogFields;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Each instance runs one tracker loop: claim due jobs (as many as it has free slots), step each on its own
 * virtual thread, and go again at once while there is more due work; otherwise wait for the idle interval or a
 * wake-up. A full batch means the instance is behind, so it never sleeps then.
 */
@Component
class Tracker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Tracker.class);

    private final TrackingJobs jobs;
    private final TrainingStepper stepper;
    private final TrackerProperties properties;
    private final String owner;
    private final Semaphore slots;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private ExecutorService workers;

    Tracker(TrackingJobs jobs, TrainingStepper stepper, TrackerProperties properties) {
        this.jobs = jobs;
        this.stepper = stepper;
        this.properties = properties;
        this.owner = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.slots = new Semaphore(properties.concurrency());
    }

    void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            log.info("Tracker disabled on this instance");
            return;
        }
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tracker-step-", 0).factory());
        loop = Thread.ofPlatform().name("tracker").daemon().start(this::run);
        log.info("Tracker {} started", owner);
    }

    @Override
    public void stop() {
        running = false;
        if (loop == null) {
            return;
        }
        wakeUp();
        try {
            loop.join(properties.idleInterval().toMillis() + 5_000);
            workers.shutdown();
            // Steps still running after this keep their claims until the lease runs out; another instance takes over.
            workers.awaitTermination(20, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        log.info("Tracker {} stopped", owner);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stop before the web server and the database pool go away, start after them.
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    private void run() {
        while (running) {
            try {
                int free = Math.min(slots.availablePermits(), properties.batchSize());
                if (free == 0) {
                    slots.acquire();
                    slots.release();
                    continue;
                }
                List<ClaimedJob> claimed = jobs.claim(owner, free, properties.lease());
                for (ClaimedJob job : claimed) {
                    slots.acquire();
                    workers.execute(() -> step(job));
                }
                if (claimed.size() < free) {
                    wakeUps.tryAcquire(properties.idleInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException e) {
                // The database may be restarting: back off and try again; claimed jobs come back after their lease.
                log.warn("Tracker could not claim work: {}", e.getMessage());
                sleep();
            }
        }
    }

    private void step(ClaimedJob job) {
        MDC.put(LogFields.TRAINING_ID, job.trainingId());
        try {
            stepper.step(job, owner);
        }
        catch (RuntimeException e) {
            log.warn("Step of training {} failed; it is retried when its lease runs out", job.trainingId(), e);
        }
        finally {
            // Cleared, not removed key by key: the stepper adds the fal request id once it knows it.
            MDC.clear();
            slots.release();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(properties.idleInterval().toMillis() * 4);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (java.io.IOException e) {
            return "gateway";
        }
    }
}
