package com.ltxgateway.access;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every instance that a key was revoked, through PostgreSQL's {@code NOTIFY}, which is sent when the revoking
 * transaction commits and reaches every listening connection of every replica within milliseconds (the revoking
 * instance clears its own cache as the transaction commits). Each instance keeps one connection listening; while it
 * is not (starting, the database restarting) its cache is not used.
 */
@Component
class ApiKeyRevocations implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyRevocations.class);
    private static final String CHANNEL = "api_key_revoked";
    private static final Duration WAIT = Duration.ofSeconds(1);
    private static final Duration RECONNECT = Duration.ofSeconds(2);

    private final ApiKeyRepository keys;
    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final ApiKeyCache cache;
    private volatile boolean running;
    private Thread listener;

    ApiKeyRevocations(ApiKeyRepository keys, JdbcClient jdbc, DataSource dataSource, ApiKeyCache cache) {
        this.keys = keys;
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.cache = cache;
    }

    /**
     * The one way a key is revoked. Joins the caller's transaction: every instance hears of it when that commits,
     * and nothing is heard when it rolls back. Returns false for a key revoked already, which changes nothing.
     */
    boolean revoke(ApiKey key, Instant now) {
        if (!keys.revoke(key, now)) {
            return false;
        }
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, key.id().toString()).query((rs, n) -> 1).list();
        // This instance forgets the key when the revocation commits, before its answer leaves: the revoking admin's
        // next request is refused whatever the notification's way back takes.
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                cache.clear();
            }
        });
        return true;
    }

    @Override
    public void start() {
        if (!cache.enabled()) {
            return;
        }
        running = true;
        listener = Thread.ofPlatform().name("api-key-revocations").daemon().start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
        cache.untrusted();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                PGConnection notifications = connection.unwrap(PGConnection.class);
                // Trusted from here on: whatever is revoked after this moment reaches this connection.
                cache.trusted();
                while (running) {
                    PGNotification[] received = notifications.getNotifications((int) WAIT.toMillis());
                    if (received != null && received.length > 0) {
                        cache.clear();
                    }
                }
            }
            catch (SQLException | RuntimeException e) {
                cache.untrusted();
                if (running) {
                    log.warn("Not listening for API key revocations ({}); keys are checked in the database until it is back",
                            e.getClass().getSimpleName());
                    pause();
                }
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RECONNECT);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
