package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.ltxgateway.support.GatewayInstances;
import com.ltxgateway.support.TestPostgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A throttled sign-in as a person sees it in a browser: the sign-in page again, saying how long to wait. */
class DashboardSignInThrottleTests {

    private static ConfigurableApplicationContext instance;
    private static Browser browser;

    @BeforeAll
    static void start() {
        instance = GatewayInstances.start(TestPostgres.newDatabase("sign_in_throttle"),
                "--gateway.bootstrap.admin-password=browser-throttle-password",
                "--gateway.throttle.sign-in.per-user=2",
                "--gateway.tracker.enabled=false");
        browser = Browser.start("http://localhost:" + instance.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        instance.close();
    }

    @Test
    void theThirdFailureInARowIsToldHowLongToWait() {
        browser.open("/login");
        browser.signIn("admin", "not-the-password");
        browser.awaitText("#login-error", "Wrong user name or password.");
        browser.signIn("admin", "still-not-it");
        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/login?error"));

        browser.signIn("admin", "browser-throttle-password");

        // 2 per 15 minutes: the next one in 7.5 minutes, said in whole minutes.
        browser.awaitText("#login-throttled", "Too many failed sign-ins. Try again in 8 minutes.");
        assertThat(browser.path()).as("the answer to the sign-in post itself").isEqualTo("/login");
        browser.screenshot("login-throttled");
    }
}
