package com.ltxgateway.dashboard;

import java.time.Duration;

import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Dashboard tests in a real browser that is signed in as the bootstrap admin: one Chromium per test class, started
 * on first use and closed after the class.
 */
abstract class SignedInBrowserTestSupport extends GatewayTestSupport {

    protected static Browser browser;

    @BeforeEach
    void signedIn() {
        if (browser == null) {
            browser = Browser.start("http://localhost:" + port);
            browser.signIn(DASHBOARD_USERNAME, DASHBOARD_PASSWORD);
            browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/admin"));
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
