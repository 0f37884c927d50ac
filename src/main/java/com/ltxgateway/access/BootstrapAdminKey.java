package com.ltxgateway.access;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;

/**
 * Makes {@code GATEWAY_BOOTSTRAP_ADMIN_KEY} a working admin key. Replicas start at the same time, so the insert
 * tolerates losing the race; a changed value revokes the previous bootstrap key.
 */
@Component
class BootstrapAdminKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final BootstrapProperties properties;
    private final ApiKeyRepository keys;
    private final TransactionTemplate transactions;
    private final ApiKeyRevocations revocations;
    private final Clock clock;

    BootstrapAdminKey(BootstrapProperties properties, ApiKeyRepository keys, TransactionTemplate transactions,
            ApiKeyRevocations revocations, Clock clock) {
        this.revocations = revocations;
        this.properties = properties;
        this.keys = keys;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!StringUtils.hasText(properties.adminKey())) {
            return;
        }
        ensure(ApiKeySecret.of(properties.adminKey().strip()));
    }

    private void ensure(ApiKeySecret secret) {
        try {
            transactions.executeWithoutResult(tx -> {
                var now = clock.instant();
                var existing = keys.bySecret(secret.sha256());
                keys.activeBootstrapKeys().stream()
                        .filter(key -> existing.map(e -> !e.id().equals(key.id())).orElse(true))
                        .forEach(key -> revocations.revoke(key, now));
                if (existing.isEmpty()) {
                    keys.insert(ApiKey.admin("bootstrap", secret, true, now));
                    log.info("Bootstrap admin key {}... is active", secret.prefix());
                }
                else if (existing.get().isRevoked()) {
                    // An admin revoked it on purpose; a restart must not undo that.
                    log.warn("Bootstrap admin key {}... was revoked and stays revoked: set a new value", secret.prefix());
                }
            });
        }
        catch (org.springframework.dao.DataIntegrityViolationException raceLostToAnotherReplica) {
            log.debug("Bootstrap admin key was created by another instance");
        }
    }
}
