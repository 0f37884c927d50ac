package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.support.GatewayTestSupport;
import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;
import com.ltxgateway.webhook.SigningSecrets.IssuedSecret;
import com.standardwebhooks.Webhook;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.unit.DataSize;

/** Rotation and the overlap during which a team's previous secret keeps signing, on a real PostgreSQL. */
class SigningSecretsTests {

    private static final Duration OVERLAP = Duration.ofHours(24);

    private static JdbcClient jdbc;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final SigningSecrets secrets = secrets(GatewayTestSupport.WEBHOOK_ENCRYPTION_KEY);
    private final UUID team = UUID.randomUUID();

    @BeforeAll
    static void database() {
        TestPostgres.Server server = TestPostgres.server();
        var dataSource = new DriverManagerDataSource(TestPostgres.newDatabase("secrets"), server.username(), server.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
    }

    @Test
    void thePreviousSecretSignsAlongsideItsSuccessorUntilTheOverlapEnds() throws Exception {
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, ?, 'T', now())")
                .params(team, "t-" + team.toString().substring(0, 8)).update();
        IssuedSecret first = secrets.rotate(team);
        assertThat(first.previousExpiresAt()).isNull();
        assertThat(signatures(secrets.signers(team))).containsExactly(signature(first));

        clock.advance(Duration.ofHours(1));
        IssuedSecret second = secrets.rotate(team);

        assertThat(second.previousExpiresAt()).isEqualTo(clock.instant().plus(OVERLAP));
        assertThat(signatures(secrets.signers(team))).containsExactly(signature(second), signature(first));

        clock.advance(OVERLAP.plusSeconds(1));
        assertThat(signatures(secrets.signers(team))).containsExactly(signature(second));
        secrets.rotate(team);
        assertThat(jdbc.sql("select count(*) from webhook_secret where team_id = ?").param(team).query(Long.class).single())
                .as("the first secret, past its overlap, is gone").isEqualTo(2);
    }

    @Test
    void withoutAnEncryptionKeyNoSecretIsCreatedOrUsed() {
        SigningSecrets unkeyed = secrets(null);

        assertThatThrownBy(() -> unkeyed.rotate(team)).isInstanceOf(WebhookSigningUnavailable.class);
        assertThatThrownBy(() -> unkeyed.signers(team)).isInstanceOf(WebhookSigningUnavailable.class)
                .hasMessageContaining("gateway.webhooks.encryption-key");
    }

    @Test
    void afterAKeyRotationSecretsOpenWithThePreviousKeyAndAreResealedWithTheNewOne() throws Exception {
        String oldKey = key();
        String newKey = key();
        insertTeam();
        IssuedSecret issued = secrets(oldKey).rotate(team);

        SigningSecrets rotated = secrets(newKey, oldKey);
        assertThat(signatures(rotated.signers(team))).as("opens with the previous key").contains(signature(issued));

        rotated.resealWithCurrentKey();

        assertThat(signatures(secrets(newKey).signers(team))).as("the old key can go").contains(signature(issued));
        assertThatThrownBy(() -> secrets(oldKey).signers(team)).isInstanceOf(SigningSecretUndecryptable.class);
    }

    @Test
    void aSecretNoConfiguredKeyOpensIsUndecryptableNotARetryableFault() {
        insertTeam();
        secrets(key()).rotate(team);

        assertThatThrownBy(() -> secrets(key()).signers(team)).isInstanceOf(SigningSecretUndecryptable.class)
                .hasMessageContaining("gateway.webhooks.previous-encryption-keys");
    }

    private void insertTeam() {
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, ?, 'T', now())").params(team, "t-" + team.toString().substring(0, 8)).update();
    }

    private static String key() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private SigningSecrets secrets(String encryptionKey, String... previousKeys) {
        return new SigningSecrets(jdbc, new WebhookProperties(encryptionKey, OVERLAP, List.of(Duration.ofSeconds(5)),
                Duration.ofSeconds(2), Duration.ofSeconds(5), DataSize.ofKilobytes(64), Duration.ofMinutes(1),
                Duration.ofSeconds(1), 1, Duration.ofDays(30), List.of(previousKeys)), clock);
    }

    private static String signature(IssuedSecret issued) throws Exception {
        return new Webhook(issued.secret()).sign("msg_1", 1, "{}");
    }

    private static List<String> signatures(List<Webhook> signers) {
        return signers.stream().map(signer -> {
            try {
                return signer.sign("msg_1", 1, "{}");
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
