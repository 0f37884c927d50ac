package com.ltxgateway.webhook;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.AdvisoryLocks;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.StringUtils;

/**
 * The teams' signing secrets, in the Standard Webhooks format ({@code whsec_} and the base64 of 32 random bytes).
 * Signing needs the secret itself, so it cannot be stored hashed like an API key; it is stored encrypted
 * ({@link SecretCipher}) and its plaintext leaves the gateway once, in the answer that creates it.
 */
@Component
class SigningSecrets {

    private static final Logger log = LoggerFactory.getLogger(SigningSecrets.class);
    private static final int SECRET_BYTES = 32;

    private final JdbcClient jdbc;
    private final SecretCipher cipher;
    private final WebhookProperties properties;
    private final SecureRandom random;
    private final Clock clock;

    SigningSecrets(JdbcClient jdbc, WebhookProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.random = new SecureRandom();
        this.cipher = StringUtils.hasText(properties.encryptionKey())
                ? SecretCipher.of(properties.encryptionKey(), properties.previousEncryptionKeys(), random) : null;
        if (cipher == null) {
            log.warn("gateway.webhooks.encryption-key is not set: no webhook signing secret can be created or used, "
                    + "so no webhook is sent");
        }
    }

    /**
     * After a key rotation, seals every secret the current key does not open with the current key, so the previous
     * keys can be dropped. Runs at start on one instance at a time (a transaction-scoped advisory lock), in one
     * transaction; a secret no key opens is left as it is and named in the log.
     */
    @EventListener(ApplicationReadyEvent.class)
    @Transactional
    public void resealWithCurrentKey() {
        if (cipher == null || properties.previousEncryptionKeys().isEmpty()
                || !AdvisoryLocks.tryForTransaction(jdbc, "webhook_secret:reseal")) {
            return;
        }
        record Sealed(UUID id, UUID teamId, byte[] ciphertext) {
        }
        int resealed = 0;
        for (Sealed row : jdbc.sql("select id, team_id, ciphertext from webhook_secret for update")
                .query((rs, n) -> new Sealed(rs.getObject("id", UUID.class), rs.getObject("team_id", UUID.class), rs.getBytes("ciphertext")))
                .list()) {
            try {
                byte[] again = cipher.resealed(row.ciphertext(), row.teamId());
                if (again != null) {
                    jdbc.sql("update webhook_secret set ciphertext = ? where id = ?").params(again, row.id()).update();
                    resealed++;
                }
            }
            catch (SigningSecretUndecryptable e) {
                log.error("{} Its team's deliveries fail until it gets a new secret.", e.getMessage());
            }
        }
        if (resealed > 0) {
            log.info("Re-encrypted {} webhook signing secrets with the current gateway.webhooks.encryption-key", resealed);
        }
    }

    /** A freshly created secret: the only moment its plaintext exists outside the receiver's hands. */
    record IssuedSecret(String secret, Instant createdAt, Instant previousExpiresAt) {

        @Override
        public String toString() {
            return "IssuedSecret[createdAt=" + createdAt + "]";
        }
    }

    /**
     * A new current secret for the team. The one it replaces keeps signing for {@code secret-overlap}, so receivers
     * can switch without missing a delivery. Joins the caller's transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    IssuedSecret rotate(UUID teamId) {
        SecretCipher sealer = requireCipher();
        // Two rotations at once would both retire the same secret and then collide on the one current secret.
        jdbc.sql("select pg_advisory_xact_lock(hashtextextended(?, 0))").param("webhook_secret:" + teamId).query().listOfRows();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        int retired = jdbc.sql("update webhook_secret set retired_at = ? where team_id = ? and retired_at is null")
                .params(Timestamp.from(now), teamId).update();
        jdbc.sql("delete from webhook_secret where team_id = ? and retired_at < ?")
                .params(teamId, Timestamp.from(now.minus(properties.secretOverlap()))).update();
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        jdbc.sql("insert into webhook_secret (id, team_id, ciphertext, created_at) values (?, ?, ?, ?)")
                .params(UUID.randomUUID(), teamId, sealer.seal(secret, teamId), Timestamp.from(now))
                .update();
        return new IssuedSecret("whsec_" + Base64.getEncoder().encodeToString(secret), now,
                retired > 0 ? now.plus(properties.secretOverlap()) : null);
    }

    /**
     * What to sign a delivery with now: the current secret, then any retired one still within its overlap. Empty
     * when the team has no secret yet.
     */
    List<Webhook> signers(UUID teamId) {
        SecretCipher opener = requireCipher();
        return jdbc.sql("""
                select ciphertext from webhook_secret
                where team_id = ? and (retired_at is null or retired_at > ?)
                order by created_at desc""")
                .params(teamId, Timestamp.from(clock.instant().minus(properties.secretOverlap())))
                .query((rs, n) -> signer(opener.open(rs.getBytes("ciphertext"), teamId)))
                .list();
    }

    private SecretCipher requireCipher() {
        if (cipher == null) {
            throw new WebhookSigningUnavailable();
        }
        return cipher;
    }

    private static Webhook signer(byte[] secret) {
        try {
            return new Webhook(secret);
        }
        catch (EmptyWebhookSecretException e) {
            throw new IllegalStateException("a stored webhook signing secret is empty", e);
        }
    }
}
