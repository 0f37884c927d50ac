package com.ltxgateway.webhook;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.ltxgateway.webhook.WebhookDeliveries.ClaimedDelivery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Every instance runs one dispatcher: it claims due deliveries from the shared outbox as it has free slots, makes
 * each attempt on a virtual thread, and otherwise waits for the idle interval or a wake-up. The retry waits are
 * due times in the database, so they survive restarts and any instance may make the next attempt.
 */
@Component
class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookDeliveries deliveries;
    private final DeliveryWorker worker;
    private final WebhookProperties properties;
    private final String owner;
    private final Semaphore slots;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private ExecutorService workers;

    WebhookDispatcher(WebhookDeliveries deliveries, DeliveryWorker worker, WebhookProperties properties) {
        this.deliveries = deliveries;
        this.worker = worker;
        this.properties = properties;
        // pid@host, and a suffix that tells a restarted process from its predecessor
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.slots = new Semaphore(properties.concurrency());
    }

    /** New deliveries are attempted at once by this instance, once the transaction that wrote them has committed. */
    void wakeUpAfterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            wakeUp();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                wakeUp();
            }
        });
    }

    private void wakeUp() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    @Override
    public void start() {
        running = true;
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-attempt-", 0).factory());
        loop = Thread.ofPlatform().name("webhook-dispatcher").daemon().start(this::run);
        log.info("Webhook dispatcher {} started", owner);
    }

    @Override
    public void stop() {
        running = false;
        wakeUp();
        try {
            loop.join(properties.idleInterval().toMillis() + 5_000);
            workers.shutdown();
            // Attempts still running after this keep their claims until the lease runs out; another instance retries.
            workers.awaitTermination(20, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        log.info("Webhook dispatcher {} stopped", owner);
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
                int free = slots.availablePermits();
                if (free == 0) {
                    slots.acquire();
                    slots.release();
                    continue;
                }
                List<ClaimedDelivery> claimed = deliveries.claim(owner, free, properties.lease());
                for (ClaimedDelivery delivery : claimed) {
                    slots.acquire();
                    workers.execute(() -> attempt(delivery));
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
                // The database may be restarting: back off; claimed deliveries come back after their lease.
                log.warn("Webhook dispatcher could not claim deliveries: {}", e.getMessage());
                pause();
            }
        }
    }

    private void attempt(ClaimedDelivery delivery) {
        try {
            worker.attempt(delivery, owner);
        }
        catch (RuntimeException e) {
            log.warn("Attempt {} of webhook delivery {} failed; it is retried when its lease runs out", delivery.attempt(),
                    delivery.id(), e);
        }
        finally {
            slots.release();
        }
    }

    private void pause() {
        try {
            Thread.sleep(properties.idleInterval().toMillis() * 4);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
