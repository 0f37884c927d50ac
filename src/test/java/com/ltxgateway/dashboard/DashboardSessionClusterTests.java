package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.DashboardForms;
import com.ltxgateway.support.GatewayInstances;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one database and no session affinity, as the chart runs replicas: whichever instance answers, a
 * signed-in admin stays signed in, a form's CSRF token is honoured, and a sign-out ends the session everywhere.
 */
class DashboardSessionClusterTests {

    private static final String USERNAME = "admin";
    private static final String PASSWORD = "cluster-session-password";

    private static GatewayInstances.Pair cluster;
    private static Api first;
    private static Api second;

    @BeforeAll
    static void startCluster() {
        cluster = GatewayInstances.pair("session_cluster", "--gateway.bootstrap.admin-username=" + USERNAME,
                "--gateway.bootstrap.admin-password=" + PASSWORD, "--gateway.tracker.enabled=false");
        first = cluster.first();
        second = cluster.second();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void aSessionStartedOnOneInstanceIsHonouredAndEndedOnTheOther() {
        Response loginPage = first.send("GET", "/login", null, null, Map.of());
        String anonymous = DashboardForms.sessionCookie(loginPage);
        String csrf = DashboardForms.csrfToken(loginPage.text());

        Response signIn = second.send("POST", "/login", null,
                DashboardForms.encode("username", USERNAME, "password", PASSWORD, "_csrf", csrf), formHeaders(anonymous));
        assertThat(signIn.status()).as("the other instance takes the first one's CSRF token").isEqualTo(302);
        assertThat(signIn.header("Location")).endsWith("/admin");
        String session = DashboardForms.sessionCookie(signIn);
        assertThat(session).as("a new session id on sign-in").isNotEqualTo(anonymous);

        Response page = first.send("GET", "/admin/trainings", null, null, Map.of("Cookie", "SESSION=" + session));
        assertThat(page.status()).as("the instance that did not sign the admin in").isEqualTo(200);
        assertThat(page.text()).contains("Signed in as");
        assertThat(second.send("GET", "/admin/teams", null, null, Map.of("Cookie", "SESSION=" + session)).status()).isEqualTo(200);

        Response signOut = first.send("POST", "/logout", null, DashboardForms.encode("_csrf", DashboardForms.csrfToken(page.text())), formHeaders(session));
        assertThat(signOut.status()).isEqualTo(302);
        assertThat(signOut.header("Location")).endsWith("/login?logout");

        Response after = second.send("GET", "/admin/trainings", null, null, Map.of("Cookie", "SESSION=" + session));
        assertThat(after.status()).as("signed out on the first instance, so on the second too").isEqualTo(302);
        assertThat(after.header("Location")).endsWith("/login");
    }

    private static Map<String, String> formHeaders(String session) {
        return Map.of("Cookie", "SESSION=" + session, "Content-Type", DashboardForms.CONTENT_TYPE);
    }
}
