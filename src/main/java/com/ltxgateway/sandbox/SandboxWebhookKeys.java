package com.ltxgateway.sandbox;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import com.ltxgateway.Hashing;
import com.ltxgateway.fal.Ed25519Jwks;
import com.ltxgateway.fal.FalWebhookKeys;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.stereotype.Component;

/**
 * The Ed25519 key the simulator signs its webhooks with, published as a JWKS the way fal publishes its own. All
 * replicas share one key through the database: each proposes one, the first insert wins, and every replica then
 * uses the stored one. It only ever vouches for sandbox trainings, which cost nothing, so it is kept in plain.
 */
@Component
public class SandboxWebhookKeys implements FalWebhookKeys {

    private static final String ALGORITHM = "Ed25519";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SingletonSupplier<SigningKey> key = SingletonSupplier.of(this::loadOrCreate);

    SandboxWebhookKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    record SigningKey(String kid, PrivateKey privateKey, PublicKey publicKey) {
    }

    /** The simulator's key, also for verifying its webhooks in the same process without a round trip. */
    @Override
    public List<PublicKey> current() {
        return List.of(key.obtain().publicKey());
    }

    /** The key as a JWKS, the way fal publishes its own. */
    public Map<String, Object> jwks() {
        SigningKey signing = key.obtain();
        return Ed25519Jwks.jwks(Map.of(signing.kid(), signing.publicKey()));
    }

    SigningKey signingKey() {
        return key.obtain();
    }

    private SigningKey loadOrCreate() {
        KeyPair proposed = generate();
        byte[] publicKey = proposed.getPublic().getEncoded();
        jdbc.sql("""
                insert into sandbox_signing_key (id, kid, private_key, public_key, created_at) values (1, ?, ?, ?, ?)
                on conflict (id) do nothing""")
                .params("sandbox-" + Hashing.sha256Hex(publicKey).substring(0, 16), proposed.getPrivate().getEncoded(), publicKey,
                        Timestamp.from(clock.instant()))
                .update();
        return jdbc.sql("select kid, private_key, public_key from sandbox_signing_key where id = 1")
                .query(SandboxWebhookKeys::map)
                .single();
    }

    private static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK since 15 has Ed25519", e);
        }
    }

    private static SigningKey map(ResultSet rs, int row) throws SQLException {
        try {
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            return new SigningKey(rs.getString("kid"), keys.generatePrivate(new PKCS8EncodedKeySpec(rs.getBytes("private_key"))),
                    keys.generatePublic(new X509EncodedKeySpec(rs.getBytes("public_key"))));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored sandbox signing key is unreadable", e);
        }
    }
}
