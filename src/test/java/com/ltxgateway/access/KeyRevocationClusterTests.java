package com.ltxgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayInstances;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one database, each answering for keys from its own cache: a key revoked through one is refused by
 * the other as soon as PostgreSQL's notification arrives, long before the cache's own time would run out.
 */
class KeyRevocationClusterTests {

    private static final String ADMIN_KEY = "ltx_admin_revoke_0123456789abcdefghijklmnopqrstuv";

    private static GatewayInstances.Pair cluster;
    private static Api first;
    private static Api second;

    @BeforeAll
    static void startCluster() {
        cluster = GatewayInstances.pair("revocation_cluster", "--gateway.bootstrap.admin-key=" + ADMIN_KEY,
                "--gateway.api-keys.cache-ttl=1h", "--gateway.tracker.enabled=false");
        first = cluster.first();
        second = cluster.second();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void aKeyRevokedOnOneInstanceIsRefusedByTheOtherAtOnce() {
        String slug = "revoke-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(first.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Revokers\"}").status()).isEqualTo(201);
        var issued = first.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"sandbox\"}").json();
        String key = issued.get("key").asString();
        // Both instances have now checked the key, and keep it for an hour.
        assertThat(first.get("/v1/trainings", key).status()).isEqualTo(200);
        assertThat(second.get("/v1/trainings", key).status()).isEqualTo(200);
        assertThat(second.get("/v1/trainings", key).status()).isEqualTo(200);

        assertThat(first.delete("/v1/admin/api-keys/" + issued.get("id").asString(), ADMIN_KEY).status()).isEqualTo(200);

        assertThat(first.get("/v1/trainings", key).status()).isEqualTo(401);
        Awaitility.await("the other instance refuses the key").atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> second.get("/v1/trainings", key).status() == 401);
    }

}
