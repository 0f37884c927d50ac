package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** The dashboard's pages and their protections at the MVC level, where a browser would add nothing. */
class DashboardPagesTests extends GatewayTestSupport {

    @Autowired
    private MockMvc mvc;

    @Autowired
    private org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void sendsAStrictContentSecurityPolicyAndFramingHeaders() throws Exception {
        for (MvcResult page : new MvcResult[] { perform(get("/login")), perform(asAdmin(get("/admin/trainings"))) }) {
            assertThat(page.getResponse().getStatus()).isEqualTo(200);
            String csp = page.getResponse().getHeader("Content-Security-Policy");
            assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                    "object-src 'none'", "form-action 'self'");
            assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(page.getResponse().getHeader("X-Frame-Options")).isEqualTo("DENY");
            assertThat(page.getResponse().getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(page.getResponse().getContentAsString()).doesNotContain("<script>").doesNotContain(" style=");
        }
    }

    @Test
    void servesHtmxFromTheJar() throws Exception {
        MvcResult htmx = perform(get("/webjars/htmx.org/dist/htmx.min.js"));

        assertThat(htmx.getResponse().getStatus()).isEqualTo(200);
        assertThat(htmx.getResponse().getContentAsString()).contains("htmx");
        // Pages link the versioned path (the resource chain's filter, which runs on pages only, rewrites it), which
        // is served too.
        assertLinksVersionedHtmx("the dashboard", asAdmin(get("/admin/trainings")));
        assertLinksVersionedHtmx("the sign-in page", get("/login"));
    }

    private void assertLinksVersionedHtmx(String page, MockHttpServletRequestBuilder request) throws Exception {
        String html = perform(request).getResponse().getContentAsString();
        Matcher script = Pattern.compile("src=\"(/webjars/htmx.org/[0-9.]+/dist/htmx.min.js)\"").matcher(html);
        assertThat(script.find()).as("the versioned htmx script of " + page).isTrue();
        assertThat(perform(get(script.group(1))).getResponse().getStatus()).isEqualTo(200);
    }

    @Test
    void sendsStrangersToTheLoginPage() throws Exception {
        MvcResult page = perform(get("/admin/trainings"));

        assertThat(page.getResponse().getStatus()).isEqualTo(302);
        assertThat(page.getResponse().getRedirectedUrl()).isEqualTo("/login");
    }

    @Test
    void refusesUsersWithoutTheAdminRole() throws Exception {
        MvcResult page = perform(get("/admin/trainings").with(user("viewer").roles("TEAM")));

        assertThat(page.getResponse().getStatus()).isEqualTo(403);
    }

    @Test
    void answersBadFilterInputWithMessagesNotErrors() throws Exception {
        MvcResult controlCharacters = perform(asAdmin(get("/admin/trainings").param("q", "a\u0000b")));
        MvcResult tooLong = perform(asAdmin(get("/admin/trainings").param("q", "x".repeat(201))));
        MvcResult twoStatuses = perform(asAdmin(get("/admin/trainings").param("status", "failed", "queued")));
        MvcResult badTeam = perform(asAdmin(get("/admin/trainings").param("team", "team\u0000")));

        assertThat(controlCharacters.getResponse().getContentAsString()).contains("must not contain control characters");
        assertThat(tooLong.getResponse().getContentAsString()).contains("Search for at most 200 characters.");
        assertThat(twoStatuses.getResponse().getContentAsString()).contains("Choose one of the listed statuses.");
        assertThat(badTeam.getResponse().getContentAsString()).contains("Choose one of the listed teams.");
        for (MvcResult result : new MvcResult[] { controlCharacters, tooLong, twoStatuses, badTeam }) {
            assertThat(result.getResponse().getStatus()).isEqualTo(200);
        }
    }

    @Test
    void answersUnknownOrMalformedTrainingIdsWithANotFoundPage() throws Exception {
        for (String id : new String[] { "trn_unknown", "\u2713", "x".repeat(41) }) {
            MvcResult page = perform(asAdmin(get("/admin/trainings/{id}", id)));
            assertThat(page.getResponse().getStatus()).as(id).isEqualTo(404);
            assertThat(page.getResponse().getContentType()).as(id).startsWith("text/html");
            MvcResult cancel = perform(asAdmin(post("/admin/trainings/{id}/cancel", id).with(csrf())));
            assertThat(cancel.getResponse().getStatus()).as(id).isEqualTo(404);
        }
        assertThat(perform(asAdmin(get("/admin/trainings/{id}", "trn_\u0000"))).getResponse().getStatus())
                .as("refused by the firewall before any page").isEqualTo(400);
    }

    @Test
    void answersAddressesTheDashboardDoesNotHaveWithItsOwnNotFoundPage() throws Exception {
        for (String path : new String[] { "/admin/nope", "/admin/trainings/trn_x/nope", "/admin/teams/a/b/c/d" }) {
            MvcResult page = perform(asAdmin(get(path)));

            assertThat(page.getResponse().getStatus()).as(path).isEqualTo(404);
            assertThat(page.getResponse().getContentAsString()).as(path).contains("<h1>Not found</h1>")
                    .contains("The dashboard has no page at this address.").contains("/assets/dashboard.css");
        }
        assertThat(perform(get("/admin/nope")).getResponse().getRedirectedUrl()).as("strangers sign in first").isEqualTo("/login");
    }

    @Test
    void refusesACancelWithoutACsrfToken() throws Exception {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();

        MvcResult forged = perform(asAdmin(post("/admin/trainings/" + id + "/cancel")));
        MvcResult badToken = perform(asAdmin(post("/admin/trainings/" + id + "/cancel").with(csrf().useInvalidToken())));

        assertThat(forged.getResponse().getStatus()).isEqualTo(403);
        assertThat(badToken.getResponse().getStatus()).isEqualTo(403);
        assertThat(badToken.getResponse().getForwardedUrl()).isEqualTo(DashboardSecurityConfiguration.FORBIDDEN_PAGE);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("cancel_requested_at").isNull()).isTrue();
    }

    @Test
    void answersAPollWithNoContentWhileNothingChanged() throws Exception {
        // a team with no trainings: other tests' trainings keep changing the unfiltered list
        String rows = perform(asAdmin(get("/admin/trainings/rows").param("team", "no-such-team").header("HX-Request", "true")))
                .getResponse().getContentAsString();
        String rowsUrl = rows.substring(rows.indexOf("hx-get=\"") + 8, rows.indexOf('"', rows.indexOf("hx-get=\"") + 8)).replace("&amp;", "&");
        String version = rowsUrl.substring(rowsUrl.indexOf("v=") + 2);

        MvcResult unchanged = perform(asAdmin(get("/admin/trainings/rows").param("team", "no-such-team").param("v", version)));
        MvcResult stale = perform(asAdmin(get("/admin/trainings/rows").param("team", "no-such-team").param("v", "0000000000000000")));

        assertThat(rows).startsWith("<div id=\"training-rows\"").doesNotContain("<html");
        assertThat(unchanged.getResponse().getStatus()).isEqualTo(204);
        assertThat(stale.getResponse().getStatus()).isEqualTo(200);
    }

    @Test
    void answersAPollOfATrainingsPageWithNoContentWhileNothingChanged() throws Exception {
        String key = newTeamKey("live");
        String id;
        FAL.queueDuration(Duration.ofMinutes(5));
        try {
            id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
            awaitStatus(key, id, "queued");
        }
        finally {
            FAL.queueDuration(Duration.ZERO);
        }
        String live = perform(asAdmin(get("/admin/trainings/{id}/live", id).header("HX-Request", "true")))
                .getResponse().getContentAsString();
        String liveUrl = live.substring(live.indexOf("hx-get=\"") + 8, live.indexOf('"', live.indexOf("hx-get=\"") + 8));

        MvcResult unchanged = perform(asAdmin(get(liveUrl)));
        assertThat(api.post("/v1/trainings/" + id + "/cancel", key, null).status()).isEqualTo(202);
        awaitStatus(key, id, "canceled");
        MvcResult changed = perform(asAdmin(get(liveUrl)));

        assertThat(live).startsWith("<div id=\"training-live\"").doesNotContain("<html");
        assertThat(unchanged.getResponse().getStatus()).isEqualTo(204);
        assertThat(changed.getResponse().getStatus()).isEqualTo(200);
        assertThat(changed.getResponse().getContentAsString()).as("a finished training's page stops asking")
                .doesNotContain("hx-get").contains("canceled");
    }

    @Test
    void answersBadTeamAndKeyFormsWithMessagesNotErrors() throws Exception {
        String slug = "pages-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Pages\"}").status()).isEqualTo(201);

        MvcResult noFields = perform(asAdmin(post("/admin/teams").with(csrf())));
        MvcResult controlCharacter = perform(asAdmin(post("/admin/teams").with(csrf()).param("slug", "ok-slug").param("name", "a\u0000b")));
        MvcResult badMode = perform(asAdmin(post("/admin/teams/{slug}/keys", slug).with(csrf()).param("name", "k").param("mode", "admin")));
        MvcResult unknownTeam = perform(asAdmin(post("/admin/teams/{slug}/keys", "no-such-team").with(csrf()).param("name", "k").param("mode", "live")));

        assertThat(noFields.getResponse().getStatus()).isEqualTo(422);
        assertThat(noFields.getResponse().getContentAsString()).contains("id=\"slug-error\"").contains("id=\"name-error\"");
        assertThat(controlCharacter.getResponse().getStatus()).isEqualTo(422);
        assertThat(controlCharacter.getResponse().getContentAsString()).contains("must not contain control characters");
        assertThat(badMode.getResponse().getStatus()).isEqualTo(422);
        assertThat(badMode.getResponse().getContentAsString()).contains("Mode must be live or sandbox");
        assertThat(unknownTeam.getResponse().getStatus()).isEqualTo(404);
        assertThat(api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY).json().get("data").size()).isZero();
    }

    /** Output URLs come from fal's answers: only http(s) ones on the hosts outputs are copied from become links. */
    @Test
    void linksOnlyOutputUrlsOnExpectedHosts() throws Exception {
        var team = api.newTeam(ADMIN_KEY, "live");
        String id = "trn_links_" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, output, created_at, finished_at)
                values (?, (select id from team where slug = ?), 'live', 'succeeded', '{}', 100, 0.24, cast(? as jsonb), now(), now())""")
                .params(id, team.slug(), """
                        {"lora_file": {"url": "javascript:alert(document.cookie)", "file_name": "evil.safetensors", "file_size": 1},
                         "config_file": {"url": "https://attacker.example/config.json", "file_name": "config.json", "file_size": 1},
                         "video": {"url": "http://127.0.0.1:9/validation.mp4", "file_name": "validation.mp4", "file_size": 1}}""")
                .update();

        String page = perform(asAdmin(get("/admin/trainings/" + id))).getResponse().getContentAsString();

        assertThat(page).doesNotContain("href=\"javascript:").doesNotContain("href=\"https://attacker.example");
        assertThat(page).contains("evil.safetensors").contains("title=\"Not linked");
        assertThat(page).contains("src=\"http://127.0.0.1:9/validation.mp4\"").as("the test's source host, 127.0.0.1, is expected");
    }

    private MvcResult perform(MockHttpServletRequestBuilder request) throws Exception {
        return mvc.perform(request).andReturn();
    }

    private static MockHttpServletRequestBuilder asAdmin(MockHttpServletRequestBuilder request) {
        return request.with(user(DASHBOARD_USERNAME).roles(DashboardUsers.ADMIN_ROLE));
    }
}
