package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/** Signing in to the dashboard in a real browser, and everyone without a dashboard account turned away. */
class DashboardLoginTests extends GatewayTestSupport {

    private static Browser browser;

    @BeforeEach
    void freshBrowserSession() {
        if (browser == null) {
            browser = Browser.start("http://localhost:" + port);
        }
        browser.open("/login");
        browser.driver.manage().deleteAllCookies();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void signsInWithTheBootstrapAdminAndOutAgain() {
        browser.open("/admin/trainings");
        assertThat(browser.path()).startsWith("/login");
        browser.screenshot("login");

        browser.signIn(DASHBOARD_USERNAME, DASHBOARD_PASSWORD);

        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/admin/trainings"));
        assertThat(browser.find("h1").getText()).isEqualTo("Trainings");
        assertThat(browser.find(".signout .user").getText()).contains(DASHBOARD_USERNAME);
        Cookie session = browser.driver.manage().getCookieNamed("SESSION");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Lax");
        assertThat(session.isSecure()).as("plain http: a Secure cookie would never come back").isFalse();

        browser.signOut();

        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/login?logout"));
        assertThat(browser.find(".notice").getText()).isEqualTo("You are signed out.");
        browser.open("/admin/trainings");
        assertThat(browser.path()).startsWith("/login");
        assertThat(auditActions("dashboard:" + DASHBOARD_USERNAME)).contains("dashboard.login", "dashboard.logout");
    }

    @Test
    void listsSignInsAndAdminActionsInTheAuditLog() {
        browser.signIn("nobody-audited", "wrong");
        browser.signIn(DASHBOARD_USERNAME, DASHBOARD_PASSWORD);
        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/admin"));

        browser.open("/admin/audit");

        assertThat(browser.find("h1").getText()).isEqualTo("Audit log");
        var rows = browser.findAll("tbody tr").stream().map(WebElement::getText).toList();
        assertThat(rows.get(0)).contains("dashboard:" + DASHBOARD_USERNAME).contains("dashboard.login").contains("ip:");
        assertThat(rows.get(1)).contains("dashboard:nobody-audited").contains("dashboard.login_failed");
        browser.screenshot("audit");
        browser.open("/admin/audit?before=not-a-number");
        assertThat(browser.find(".notice").getText()).contains("not valid");
    }

    @Test
    void refusesAWrongPassword() {
        browser.signIn(DASHBOARD_USERNAME, "not-the-password");

        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/login?error"));
        assertThat(browser.find("[role=alert]").getText()).isEqualTo("Wrong user name or password.");
        assertThat(browser.find("#username").getAttribute("aria-describedby")).isEqualTo("login-error");
        browser.screenshot("login-failed");
        browser.open("/admin/trainings");
        assertThat(browser.path()).startsWith("/login");
        assertThat(auditActions("dashboard:" + DASHBOARD_USERNAME)).contains("dashboard.login_failed");
    }

    @Test
    void refusesUnknownUsersLikeWrongPasswords() {
        browser.signIn("nobody-" + System.nanoTime(), DASHBOARD_PASSWORD);

        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/login?error"));
        assertThat(browser.find("[role=alert]").getText()).isEqualTo("Wrong user name or password.");
    }

    @Test
    void answersASignInWithoutItsCsrfTokenWithAPageThatSaysWhatToDo() {
        Response forged = api.send("POST", "/login", null, "username=admin&password=x",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));

        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.text()).contains("<h1>This form has expired</h1>").contains("/assets/dashboard.css")
                .doesNotContain("Signed in as");
    }

    @Test
    void turnsAwayApiKeys() {
        Response withAdminKey = api.get("/admin/trainings", ADMIN_KEY);

        assertThat(withAdminKey.status()).isEqualTo(302);
        assertThat(withAdminKey.header("Location")).endsWith("/login");
        assertThat(api.get("/admin", ADMIN_KEY).status()).isEqualTo(302);
    }

    @Test
    void sendsPollsOfAnEndedSessionToTheLoginPage() {
        Response poll = api.send("GET", "/admin/trainings/rows", null, null, Map.of("HX-Request", "true"));

        assertThat(poll.status()).isEqualTo(401);
        assertThat(poll.header("HX-Redirect")).isEqualTo("/login");
    }

    @Test
    void refusesAFormPostWithoutItsCsrfToken() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        browser.signIn(DASHBOARD_USERNAME, DASHBOARD_PASSWORD);
        browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/admin"));
        String session = browser.driver.manage().getCookieNamed("SESSION").getValue();

        Response forged = api.send("POST", "/admin/trainings/" + id + "/cancel", null, "",
                Map.of("Cookie", "SESSION=" + session, "Content-Type", "application/x-www-form-urlencoded"));

        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.header("Content-Type")).startsWith("text/html");
        assertThat(forged.text()).contains("<h1>This form has expired</h1>").contains("/assets/dashboard.css")
                .contains("Signed in as");
        assertThat(api.get("/v1/trainings/" + id + "/events", key).text()).doesNotContain("cancel");
        assertThat(api.get("/admin/trainings/" + id, null).status()).as("without the cookie").isEqualTo(302);
        assertThat(api.send("GET", "/admin/trainings/" + id, null, null, Map.of("Cookie", "SESSION=" + session)).status())
                .as("the session itself still works").isEqualTo(200);
    }

    @Test
    void marksTheSessionCookieSecureWhenServedOverHttps() {
        Response overHttps = api.send("GET", "/login", null, null, Map.of("X-Forwarded-Proto", "https"));
        Response overHttp = api.send("GET", "/login", null, null, Map.of());

        assertThat(overHttps.header("Set-Cookie")).contains("SESSION=").contains("Secure").contains("HttpOnly")
                .contains("SameSite=Lax");
        assertThat(overHttp.header("Set-Cookie")).contains("SESSION=").doesNotContain("Secure");
    }

    private List<String> auditActions(String actor) {
        return api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("actor").asString().equals(actor))
                .map(e -> e.get("action").asString())
                .toList();
    }
}
