package com.ltxgateway.tracking;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

/**
 * The secret part of each training's fal webhook URL: an HMAC of the training id. fal signs every webhook, but it
 * signs them for any of its customers, so a stranger could have fal deliver a validly signed webhook for a request of
 * theirs to this gateway. Only fal, told the URL by this gateway's own submit, knows a training's token, and the
 * receiver checks it before anything else, without a database query. All replicas share one key through the
 * database: the first to need it inserts it, the others find it.
 */
@Component
class FalWebhookTokens {

    private static final String ALGORITHM = "HmacSHA256";
    /** 128 bits of the MAC, base64url: short enough for a URL, far too long to guess. */
    private static final int TOKEN_LENGTH = 22;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SingletonSupplier<SecretKeySpec> key = SingletonSupplier.of(this::loadOrCreate);

    FalWebhookTokens(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    String tokenFor(String trainingId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key.obtain());
            byte[] digest = mac.doFinal(trainingId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, TOKEN_LENGTH);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Compared in constant time, so the answer's timing tells nothing about how much of a guess was right. */
    boolean matches(String trainingId, String token) {
        byte[] expected = tokenFor(trainingId).getBytes(StandardCharsets.US_ASCII);
        byte[] given = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    private SecretKeySpec loadOrCreate() {
        byte[] proposed = new byte[32];
        new SecureRandom().nextBytes(proposed);
        jdbc.sql("insert into fal_webhook_key (id, secret, created_at) values (1, ?, ?) on conflict do nothing")
                .params(proposed, Timestamp.from(clock.instant()))
                .update();
        byte[] stored = jdbc.sql("select secret from fal_webhook_key where id = 1").query(byte[].class).single();
        return new SecretKeySpec(stored, ALGORITHM);
    }
}
