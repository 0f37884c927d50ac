package com.ltxgateway.webhook;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.ClaimLoopLifecycle;
import com.ltxgateway.webhook.WebhookDeliveries.ClaimedDelivery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Every instance runs one dispatcher: a {@link ClaimLoop} over the shared outbox that makes each claimed attempt on
 * its own virtual thread. The retry waits are due times in the database, so they survive restarts and any instance
 * may make the next attempt.
 */
@Component
class WebhookDispatcher extends ClaimLoopLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final DeliveryWorker worker;
    private final String owner;
    private final ClaimLoop<ClaimedDelivery> loop;

    WebhookDispatcher(WebhookDeliveries deliveries, DeliveryWorker worker, WebhookProperties properties) {
        this.worker = worker;
        // pid@host, and a suffix that tells a restarted process from its predecessor
        this.owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        // An attempt is bounded by its timeouts and far shorter than its lease, so leases need no renewal; a stop waits
        // for attempts under way, and the claims of any it cuts short come back after their lease.
        this.loop = new ClaimLoop<>("webhook-dispatcher", properties.concurrency(), properties.concurrency(),
                properties.idleInterval(), properties.lease(), properties.connectTimeout().plus(properties.readTimeout()).plusSeconds(1),
                new ClaimLoop.Work<>() {
                    @Override
                    public List<ClaimedDelivery> claim(int limit) {
                        return deliveries.claim(owner, limit, properties.lease());
                    }

                    @Override
                    public void handle(ClaimedDelivery delivery) {
                        attempt(delivery);
                    }
                });
    }

    /** New deliveries are attempted at once by this instance, once the transaction that wrote them has committed. */
    void wakeUpAfterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            loop.wakeUp();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                loop.wakeUp();
            }
        });
    }

    @Override
    protected ClaimLoop<?> loop() {
        return loop;
    }

    @Override
    protected String description() {
        return "Webhook dispatcher " + owner;
    }

    private void attempt(ClaimedDelivery delivery) {
        try {
            worker.attempt(delivery, owner);
        }
        catch (RuntimeException e) {
            log.warn("Attempt {} of webhook delivery {} failed; it is retried when its lease runs out", delivery.attempt(),
                    delivery.id(), e);
        }
    }
}
