package com.ltxgateway.webhook;

import java.util.List;

import com.ltxgateway.ClaimLoop;
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
class WebhookDispatcher extends ClaimLoop<ClaimedDelivery> {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookDeliveries deliveries;
    private final DeliveryWorker worker;
    private final WebhookProperties properties;

    WebhookDispatcher(WebhookDeliveries deliveries, DeliveryWorker worker, WebhookProperties properties) {
        // An attempt is bounded by its timeouts and far shorter than its lease, so leases need no renewal; a stop waits
        // for attempts under way, and the claims of any it cuts short come back after their lease.
        super("webhook-dispatcher", properties.concurrency(), properties.concurrency(), properties.idleInterval(),
                properties.lease(), properties.timeouts().longestCall().plusSeconds(1));
        this.deliveries = deliveries;
        this.worker = worker;
        this.properties = properties;
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

    @Override
    protected List<ClaimedDelivery> claim(String owner, int limit) {
        return deliveries.claim(owner, limit, properties.lease());
    }

    @Override
    protected void handle(ClaimedDelivery delivery) {
        try {
            worker.attempt(delivery, owner());
        }
        catch (RuntimeException e) {
            log.warn("Attempt {} of webhook delivery {} failed; it is retried when its lease runs out", delivery.attempt(),
                    delivery.id(), e);
        }
    }
}
