package com.ltxgateway.sandbox;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Forgets simulated requests {@code gateway.sandbox.retention} after they completed, with the sandbox on or off. Every
 * replica purges; deleting in small batches with SKIP LOCKED lets them do it side by side.
 */
@Component
class SandboxRetention {

    private static final Logger log = LoggerFactory.getLogger(SandboxRetention.class);
    private static final int BATCH = 1000;

    private final SandboxRequests requests;
    private final SandboxProperties properties;
    private final Clock clock;

    SandboxRetention(SandboxRequests requests, SandboxProperties properties, Clock clock) {
        this.requests = requests;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void purge() {
        try {
            int purged = 0;
            int batch;
            do {
                batch = requests.purgeCompletedBefore(clock.instant().minus(properties.retention()), BATCH);
                purged += batch;
            }
            while (batch == BATCH);
            if (purged > 0) {
                log.info("Forgot {} simulated request(s) completed more than {} ago", purged, properties.retention());
            }
        }
        catch (DataAccessException e) {
            log.warn("Could not purge old simulated requests: {}", e.getMessage());
        }
    }
}
