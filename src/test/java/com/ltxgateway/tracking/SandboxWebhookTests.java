package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.fal.Ed25519Jwks;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.sandbox.SandboxEndpoint;
import com.ltxgateway.sandbox.SandboxWebhookKeys;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The simulator calls back like fal: a signed webhook to the gateway itself when a request completes, verified with
 * the key it publishes. Once a sandbox run has started, the tracker's next poll is a backstop minute away (the
 * default, which the tests keep), so within the simulated run of two seconds only the webhook can end it. How the
 * schedule gets there, step by step on a clock of its own, is {@link TrackerScheduleTests}'s.
 */
class SandboxWebhookTests extends GatewayTestSupport {

    private static final String SUBMIT_PATH = "/sandbox/queue/fal-ai/ltx23-trainer-v2/interpolate";

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private SandboxWebhookKeys sandboxKeys;

    @Autowired
    private SandboxEndpoint sandbox;

    @Autowired
    private FalWebhookTokens tokens;

    @Test
    void aFailedSandboxRunReportsTheErrorAPollWouldHaveFound() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip?sandbox_outcome=failed")).get("id").asString();

        JsonNode failed = awaitStatus(key, id, "failed");

        assertThat(failed.get("error").get("code").asString()).isEqualTo("fal_validation_error");
        assertThat(failed.get("error").get("message").asString())
                .isEqualTo("body.training_data_url: Training data archive holds fewer than 10 video clips (sandbox_outcome=failed)");
        assertThat(lastTwo(api.timeline(key, id))).extracting(e -> e.get("type").asString()).containsExactly("fal_webhook", "state_changed");
    }

    @Test
    void publishesTheKeyItSignsWith() {
        var response = api.get("/sandbox/.well-known/jwks.json", null);

        assertThat(response.status()).isEqualTo(200);
        JsonNode jwk = response.json().get("keys").get(0);
        assertThat(jwk.get("kty").asString()).isEqualTo("OKP");
        assertThat(jwk.get("crv").asString()).isEqualTo("Ed25519");
        assertThat(jwk.get("kid").asString()).startsWith("sandbox-");
        assertThat(Ed25519Jwks.parse(response.json())).isEqualTo(sandboxKeys.current());
    }

    @Test
    void aDeliverySignedWithTheSandboxKeyDoesNotCountForALiveTraining() throws GeneralSecurityException {
        FAL.runDuration(Duration.ofMinutes(10));
        String url = "https://data.example.com/sandbox-key/" + UUID.randomUUID() + ".zip";
        String key = newTeamKey("live");
        String id = create(key, minimalRequest(url)).get("id").asString();
        String requestId;
        try {
            requestId = awaitTraining(key, id, t -> !t.get("fal_request_id").isNull()).get("fal_request_id").asString();
        }
        finally {
            FAL.runDuration(Duration.ofMillis(300));
        }
        String body = """
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "ERROR", "error": "Invalid status code: 400",
                 "payload": {"detail": "Request was cancelled"}}""".formatted(requestId);
        String path = "/fal/webhooks/" + id + "/" + tokens.tokenFor(id);

        var refused = api.post(path, null, body, FakeFalWebhooks.asMap(FakeFalWebhooks.sign(sandboxKeyPair(), requestId, body, Instant.now())));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isIn("queued", "running");
        assertThat(api.post(path, null, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()))).status())
                .isEqualTo(200);
        awaitTraining(key, id, t -> t.get("status").asString().equals("failed"));
    }

    @Test
    void callsBackNothingButTheGateway() {
        var elsewhere = api.post(SUBMIT_PATH + "?fal_webhook=http://169.254.169.254/latest/meta-data", null,
                "{\"training_data_url\": \"https://example.com/clips.zip\"}", Map.of("Authorization", "Key " + sandbox.endpoint().key()));

        assertThat(elsewhere.status()).isEqualTo(422);
        assertThat(elsewhere.json().get("detail").get(0).get("loc").get(1).asString()).isEqualTo("fal_webhook");
    }

    @Test
    void theSimulatorsKeyIsRandomAndNoOtherIsTaken() {
        String own = sandbox.endpoint().key();
        assertThat(own).isNotBlank().isNotEqualTo("sandbox").hasSizeGreaterThanOrEqualTo(32);

        for (String wrong : List.of("Key sandbox", "Key " + own.substring(1), "Bearer " + own)) {
            var refused = api.post(SUBMIT_PATH, null, "{\"training_data_url\": \"https://example.com/clips.zip\"}",
                    Map.of("Authorization", wrong));
            assertThat(refused.status()).as(wrong).isEqualTo(401);
        }
    }

    /** The simulator's signing key, as every replica reads it from the database. */
    private KeyPair sandboxKeyPair() throws GeneralSecurityException {
        sandboxKeys.current();
        KeyFactory keys = KeyFactory.getInstance("Ed25519");
        return jdbc.sql("select private_key, public_key from sandbox_signing_key").query((rs, n) -> {
            try {
                return new KeyPair(keys.generatePublic(new X509EncodedKeySpec(rs.getBytes("public_key"))),
                        keys.generatePrivate(new PKCS8EncodedKeySpec(rs.getBytes("private_key"))));
            }
            catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }).single();
    }

    private static List<JsonNode> lastTwo(List<JsonNode> events) {
        return events.subList(events.size() - 2, events.size());
    }
}
