package com.ltxgateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.DashboardForms;
import com.ltxgateway.support.GatewayInstances;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one database, with small limits: failed sign-ins and unknown API keys are counted across both,
 * refused with 429 and {@code Retry-After} once over the limit, and written to the audit log once per burst. Client
 * addresses come from {@code X-Forwarded-For}, which the gateway takes from a proxy on an internal address, as from
 * an ingress.
 */
class ThrottleClusterTests {

    private static final String ADMIN_KEY = "ltx_admin_throttle_0123456789abcdefghijklmnopqrstu";
    private static final String USERNAME = "admin";
    private static final String PASSWORD = "cluster-throttle-password";

    private static GatewayInstances.Pair cluster;
    private static Api first;
    private static Api second;

    @BeforeAll
    static void startCluster() {
        cluster = GatewayInstances.pair("throttle_cluster", "--gateway.bootstrap.admin-key=" + ADMIN_KEY,
                "--gateway.bootstrap.admin-username=" + USERNAME, "--gateway.bootstrap.admin-password=" + PASSWORD,
                "--gateway.throttle.sign-in.per-user=3", "--gateway.throttle.sign-in.per-address=5",
                "--gateway.throttle.unknown-api-keys.per-address=3", "--gateway.tracker.enabled=false");
        first = cluster.first();
        second = cluster.second();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void failedSignInsAreCountedAcrossInstancesAndARefusedOneIsNotEvenChecked() {
        // One address, many names: a successful sign-in does not count, five failures do.
        String address = "203.0.113.20";
        for (int ghost = 1; ghost <= 4; ghost++) {
            assertThat(signIn(ghost % 2 == 0 ? first : second, address, "ghost-" + ghost, "guess").status()).isEqualTo(302);
        }
        Response signedIn = signIn(first, address, USERNAME, PASSWORD);
        assertThat(signedIn.status()).isEqualTo(302);
        assertThat(signedIn.header("Location")).endsWith("/admin");
        assertThat(signIn(second, address, "ghost-5", "guess").status()).as("the fifth failure").isEqualTo(302);
        assertThat(signIn(first, address, "ghost-6", "guess").status()).as("the sixth").isEqualTo(429);

        // One name, many addresses: three failures, then not even the right password is checked.
        assertThat(signIn(first, "198.51.100.1", USERNAME, "wrong-1").status()).isEqualTo(302);
        assertThat(signIn(second, "198.51.100.2", USERNAME, "wrong-2").status()).isEqualTo(302);
        assertThat(signIn(first, "198.51.100.3", USERNAME, "wrong-3").status()).isEqualTo(302);
        Response refused = signIn(second, "198.51.100.4", USERNAME, "wrong-4");
        Response rightPassword = signIn(first, "198.51.100.5", USERNAME, PASSWORD);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).as("3 per 15 minutes: one more every 5").isEqualTo("300");
        assertThat(refused.header("Content-Type")).startsWith("text/html");
        assertThat(refused.text()).contains("Too many failed sign-ins. Try again").contains("5 minutes")
                .contains("name=\"username\"");
        assertThat(rightPassword.status()).as("not checked while throttled").isEqualTo(429);
        assertThat(audit("dashboard:" + USERNAME)).as("one row for the burst of two refusals").containsExactly(
                "dashboard.login_throttled", "dashboard.login_failed", "dashboard.login_failed", "dashboard.login_failed",
                "dashboard.login");
        assertThat(audit("dashboard:ghost-6")).containsExactly("dashboard.login_throttled");

        assertThat(second.delete("/v1/admin/throttles/sign-ins/" + USERNAME, ADMIN_KEY).status()).isEqualTo(204);
        Response afterClearing = signIn(first, "198.51.100.6", USERNAME, PASSWORD);
        assertThat(afterClearing.status()).as("an admin cleared the user's throttle").isEqualTo(302);
        assertThat(afterClearing.header("Location")).endsWith("/admin");
        assertThat(first.get("/v1/admin/audit-log?limit=5", ADMIN_KEY).text()).contains("\"throttle.cleared\"")
                .contains("\"dashboard:" + USERNAME + "\"");
    }

    @Test
    void anAddressOverItsUnknownKeysGetsTooManyRequestsForEveryKeyWhileOthersAreServed() {
        String teamKey = first.newTeam(ADMIN_KEY, "sandbox").key();
        String address = "192.0.2.44";
        assertThat(get(first, "/v1/trainings", "ltx_guess_1", address).status()).isEqualTo(401);
        assertThat(get(second, "/v1/trainings", "ltx_guess_2", address).status()).isEqualTo(401);
        assertThat(get(first, "/v1/trainings", "ltx_guess_3", address).status()).isEqualTo(401);

        Response refused = get(second, "/v1/trainings", "ltx_guess_4", address);

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).as("3 per 10 minutes: one more every 200 s").isEqualTo("200");
        JsonNode problem = refused.json();
        assertThat(problem.get("type").asString()).isEqualTo("https://ltx-gateway.dev/problems/too-many-requests");
        assertThat(problem.get("detail").asString()).contains("unknown API keys");
        assertThat(get(second, "/v1/trainings", teamKey, address).status())
                .as("a right key from that address is not looked at either").isEqualTo(429);
        assertThat(get(second, "/v1/trainings", "ltx_guess_5", address).status()).isEqualTo(429);
        assertThat(get(first, "/v1/trainings", teamKey, "192.0.2.45").status()).as("another address").isEqualTo(200);
        assertThat(get(first, "/v1/trainings", "ltx_guess_6", address).status())
                .as("the other instance finds the shared bucket empty too").isEqualTo(429);
        assertThat(audit("ip:" + address)).as("one row for the burst").containsExactly("api.unknown_keys_throttled");

        assertThat(second.delete("/v1/admin/throttles/addresses/" + address, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(get(second, "/v1/trainings", teamKey, address).status()).as("cleared by an admin").isEqualTo(200);
        assertThat(get(second, "/v1/trainings", "ltx_guess_7", address).status()).as("counted afresh").isEqualTo(401);
        Response notAnAddress = second.delete("/v1/admin/throttles/addresses/gateway.example.com", ADMIN_KEY);
        assertThat(notAnAddress.status()).isEqualTo(400);
        assertThat(notAnAddress.json().get("errors").get(0).get("field").asString()).isEqualTo("address");
        assertThat(second.delete("/v1/admin/throttles/addresses/" + address, teamKey).status()).as("admins only").isEqualTo(404);
    }

    /** A password sign-in from {@code address}, with the CSRF token of a sign-in page fetched from the same address. */
    private static Response signIn(Api instance, String address, String username, String password) {
        Response page = instance.send("GET", "/login", null, null, Map.of("X-Forwarded-For", address));
        String body = DashboardForms.encode("username", username, "password", password, "_csrf", DashboardForms.csrfToken(page.text()));
        return instance.send("POST", "/login", null, body, Map.of("X-Forwarded-For", address,
                "Cookie", "SESSION=" + DashboardForms.sessionCookie(page), "Content-Type", DashboardForms.CONTENT_TYPE));
    }

    private static Response get(Api instance, String path, String key, String address) {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Forwarded-For", address);
        return instance.send("GET", path, key, null, headers);
    }

    /** The actions of {@code actor}, newest first. */
    private static List<String> audit(String actor) {
        return first.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(entry -> entry.get("actor").asString().equals(actor))
                .map(entry -> entry.get("action").asString())
                .toList();
    }
}
