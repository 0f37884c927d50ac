package com.ltxgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** Teams, their keys and the audit log, through the admin API. */
class AdminApiTests extends GatewayTestSupport {

    @Test
    void createsAndListsTeams() {
        String slug = newSlug();

        Response created = api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"  Vision Research \"}");

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.header("Location")).endsWith("/v1/admin/teams/" + slug);
        assertThat(created.json().get("slug").asString()).isEqualTo(slug);
        assertThat(created.json().get("name").asString()).isEqualTo("Vision Research");
        assertThat(Instant.parse(created.json().get("created_at").asString())).isBeforeOrEqualTo(Instant.now());

        Response list = api.get("/v1/admin/teams", ADMIN_KEY);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data").valueStream().filter(t -> t.get("slug").asString().equals(slug)))
                .singleElement().satisfies(t -> assertThat(t.get("name").asString()).isEqualTo("Vision Research"));
    }

    @Test
    void refusesADuplicateSlugWith409() {
        String slug = newSlug();
        assertThat(createTeam(slug).status()).isEqualTo(201);

        Response duplicate = api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Another\"}");

        assertThat(duplicate.status()).as(duplicate.text()).isEqualTo(409);
        assertThat(duplicate.header("Content-Type")).startsWith("application/problem+json");
        assertThat(duplicate.json().get("detail").asString()).contains(slug);
        assertThat(api.get("/v1/admin/teams", ADMIN_KEY).json().get("data").valueStream()
                .filter(t -> t.get("slug").asString().equals(slug))).hasSize(1);
    }

    @Test
    void ofTwoCreatesOfOneSlugAtOnceOneIsRefusedWith409() throws Exception {
        String slug = newSlug();
        String body = "{\"slug\":\"" + slug + "\",\"name\":\"Racing\"}";
        List<Integer> statuses;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> creates = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                creates.add(threads.submit(() -> api.post("/v1/admin/teams", ADMIN_KEY, body).status()));
            }
            statuses = new ArrayList<>();
            for (Future<Integer> create : creates) {
                statuses.add(create.get());
            }
        }

        assertThat(statuses).containsExactlyInAnyOrder(201, 409, 409, 409);
    }

    @Test
    void refusesInvalidTeamsNamingTheFields() {
        assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"Not A Slug\",\"name\":\" \"}"))))
                .containsExactlyInAnyOrder("slug", "name");
        assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY, "{\"name\":\"No slug\"}"))))
                .containsExactly("slug");
        for (String slug : List.of("-leading", "trailing-", "x".repeat(41), "under_score", "ünï", "")) {
            assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"N\"}"))))
                    .as(slug).containsExactly("slug");
        }
        assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY,
                "{\"slug\":\"" + newSlug() + "\",\"name\":\"" + "n".repeat(201) + "\"}")))).containsExactly("name");
        // PostgreSQL cannot store U+0000, UTF-8 cannot encode an unpaired surrogate, and a name is one line
        for (String name : List.of("a\\u0000b", "line\\nbreak", "\\ud800")) {
            assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY,
                    "{\"slug\":\"" + newSlug() + "\",\"name\":\"" + name + "\"}")))).as(name).containsExactly("name");
        }
        assertThat(fields(invalid(api.post("/v1/admin/teams", ADMIN_KEY,
                "{\"slug\":\"" + newSlug() + "\",\"name\":\"N\",\"owner\":\"me\"}")))).containsExactly("owner");

        for (String body : List.of("{", "[]", "", "{\"slug\": {\"a\": 1}, \"name\": \"N\"}", "{\"slug\": [\"a\"], \"name\": \"N\"}")) {
            Response response = api.post("/v1/admin/teams", ADMIN_KEY, body);
            assertThat(response.status()).as(body + " -> " + response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        }
    }

    @Test
    void issuesAKeyOnceAndListsItWithoutTheSecret() {
        String slug = newSlug();
        assertThat(createTeam(slug).status()).isEqualTo(201);

        Response created = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci runner\",\"mode\":\"live\"}");

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.header("Location")).isNotBlank();
        JsonNode issued = created.json();
        String plaintext = issued.get("key").asString();
        assertThat(plaintext).startsWith("ltx_live_").hasSizeGreaterThan(40);
        assertThat(plaintext).startsWith(issued.get("prefix").asString());
        assertThat(issued.get("prefix").asString()).hasSizeLessThan(plaintext.length() / 2);
        assertThat(issued.get("name").asString()).isEqualTo("ci runner");
        assertThat(issued.get("mode").asString()).isEqualTo("live");
        assertThat(issued.get("team").asString()).isEqualTo(slug);
        assertThat(issued.get("created_at").isNull()).isFalse();
        assertThat(issued.get("last_used_at").isNull()).isTrue();
        assertThat(issued.get("revoked_at").isNull()).isTrue();

        // Use it once, so that last_used_at is filled.
        assertThat(api.get("/v1/trainings", plaintext).status()).isEqualTo(200);

        Response list = api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.text()).doesNotContain(plaintext).doesNotContain(plaintext.substring(issued.get("prefix").asString().length()));
        JsonNode listed = list.json().get("data");
        assertThat(listed.size()).isOne();
        JsonNode key = listed.get(0);
        assertThat(key.get("id")).isEqualTo(issued.get("id"));
        assertThat(key.path("key").isNull() || key.path("key").isMissingNode()).isTrue();
        assertThat(key.get("prefix")).isEqualTo(issued.get("prefix"));
        assertThat(key.get("name").asString()).isEqualTo("ci runner");
        assertThat(key.get("mode").asString()).isEqualTo("live");
        assertThat(key.get("created_at")).isEqualTo(issued.get("created_at"));
        assertThat(key.get("last_used_at").isNull()).isFalse();
        assertThat(key.get("revoked_at").isNull()).isTrue();
        assertThat(key.has("secret_sha256")).isFalse();

        Response sandbox = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"local\",\"mode\":\"sandbox\"}");
        assertThat(sandbox.json().get("key").asString()).startsWith("ltx_sbx_").isNotEqualTo(plaintext);
        assertThat(api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY).json().get("data").size()).isEqualTo(2);
    }

    @Test
    void refusesInvalidKeyRequests() {
        String slug = newSlug();
        assertThat(createTeam(slug).status()).isEqualTo(201);

        assertThat(fields(invalid(api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"\",\"mode\":\"prod\"}"))))
                .containsExactlyInAnyOrder("name", "mode");
        assertThat(fields(invalid(api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"n\"}"))))
                .containsExactly("mode");
        assertThat(fields(invalid(api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY,
                "{\"name\":\"" + "n".repeat(101) + "\",\"mode\":\"live\"}")))).containsExactly("name");
        assertThat(fields(invalid(api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY,
                "{\"name\":\"a\\u0000b\",\"mode\":\"live\"}")))).containsExactly("name");
        assertThat(api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY).json().get("data").size()).isZero();

        Response unknownTeam = api.post("/v1/admin/teams/no-such-team-" + newSlug() + "/api-keys", ADMIN_KEY,
                "{\"name\":\"n\",\"mode\":\"live\"}");
        assertThat(unknownTeam.status()).as(unknownTeam.text()).isEqualTo(404);
        assertThat(api.get("/v1/admin/teams/no-such-team/api-keys", ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void revokesKeys() {
        String slug = newSlug();
        assertThat(createTeam(slug).status()).isEqualTo(201);
        JsonNode issued = createKey(slug, "to revoke");
        String id = issued.get("id").asString();

        Response revoked = api.delete("/v1/admin/api-keys/" + id, ADMIN_KEY);

        assertThat(revoked.status()).as(revoked.text()).isEqualTo(200);
        assertThat(revoked.json().get("id").asString()).isEqualTo(id);
        assertThat(revoked.json().get("revoked_at").isNull()).isFalse();
        assertThat(revoked.json().path("key").isNull() || revoked.json().path("key").isMissingNode()).isTrue();
        JsonNode listed = api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY).json().get("data").get(0);
        assertThat(listed.get("revoked_at")).isEqualTo(revoked.json().get("revoked_at"));

        // Revoking again changes nothing: the first revocation time stays.
        Response again = api.delete("/v1/admin/api-keys/" + id, ADMIN_KEY);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("revoked_at")).isEqualTo(revoked.json().get("revoked_at"));

        for (String unknown : List.of(UUID.randomUUID().toString(), "not-a-uuid", "1")) {
            Response response = api.delete("/v1/admin/api-keys/" + unknown, ADMIN_KEY);
            assertThat(response.status()).as(unknown + " -> " + response.text()).isEqualTo(404);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        }
    }

    @Test
    void auditsAdminActionsWithActorAndTarget() {
        String slug = newSlug();
        assertThat(createTeam(slug).status()).isEqualTo(201);
        JsonNode key = createKey(slug, "audited");
        String prefix = key.get("prefix").asString();
        assertThat(api.delete("/v1/admin/api-keys/" + key.get("id").asString(), ADMIN_KEY).status()).isEqualTo(200);

        List<JsonNode> mine = auditEntriesAbout(slug, prefix, 3);

        assertThat(mine).extracting(e -> e.get("action").asString())
                .containsExactly("api_key.revoked", "api_key.created", "team.created");
        assertThat(mine.get(2).get("target").asString()).isEqualTo("team:" + slug);
        assertThat(mine.get(1).get("target").asString()).contains("api-key:" + prefix).contains("team:" + slug);
        assertThat(mine.get(0).get("target").asString()).contains("api-key:" + prefix);
        for (JsonNode entry : mine) {
            String actor = entry.get("actor").asString();
            assertThat(actor).startsWith("api-key:");
            assertThat(ADMIN_KEY).startsWith(actor.substring("api-key:".length()));
            assertThat(actor).isNotEqualTo("api-key:" + ADMIN_KEY);
            assertThat(Instant.parse(entry.get("at").asString())).isBeforeOrEqualTo(Instant.now());
        }
        assertThat(Instant.parse(mine.get(0).get("at").asString()))
                .isAfterOrEqualTo(Instant.parse(mine.get(2).get("at").asString()));
    }

    @Test
    void pagesTheAuditLog() {
        List<String> slugs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            slugs.add(newSlug());
            assertThat(createTeam(slugs.getLast()).status()).isEqualTo(201);
        }

        List<JsonNode> paged = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 3; page++) {
            Response response = api.get("/v1/admin/audit-log?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("data").size()).isEqualTo(2);
            paged.addAll(response.json().get("data").valueStream().toList());
            cursor = response.json().get("next_cursor").asString();
            assertThat(cursor).isNotBlank();
        }

        assertThat(paged).doesNotHaveDuplicates();
        assertThat(paged.subList(0, 3)).extracting(e -> e.get("target").asString())
                .containsExactly("team:" + slugs.get(2), "team:" + slugs.get(1), "team:" + slugs.get(0));
        for (int i = 1; i < paged.size(); i++) {
            assertThat(Instant.parse(paged.get(i).get("at").asString()))
                    .isBeforeOrEqualTo(Instant.parse(paged.get(i - 1).get("at").asString()));
        }
        // Test classes run one after another, so nothing else writes to the log while this one reads it.
        assertThat(paged).isEqualTo(api.get("/v1/admin/audit-log?limit=6", ADMIN_KEY).json().get("data").valueStream().toList());
    }

    @Test
    void refusesInvalidAuditLogQueries() {
        for (String query : List.of("limit=0", "limit=101", "limit=abc", "cursor=abc", "cursor=")) {
            Response response = api.get("/v1/admin/audit-log?" + query, ADMIN_KEY);
            assertThat(response.status()).as(query + " -> " + response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(query).startsWith("application/problem+json");
            assertThat(response.json().get("detail").asString()).as(query).isNotBlank();
        }
    }

    @Test
    void requiresAnAdminKey() {
        assertThat(api.get("/v1/admin/teams", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/admin/audit-log", null).status()).isEqualTo(401);
        assertThat(api.post("/v1/admin/teams", null, "{\"slug\":\"" + newSlug() + "\",\"name\":\"N\"}").status()).isEqualTo(401);
    }

    /** The newest entries about this test's team and key, walking the log page by page. */
    private List<JsonNode> auditEntriesAbout(String slug, String prefix, int wanted) {
        List<JsonNode> found = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 100 && found.size() < wanted; page++) {
            Response response = api.get("/v1/admin/audit-log?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
            assertThat(response.status()).isEqualTo(200);
            response.json().get("data").forEach(entry -> {
                String target = entry.path("target").asString("");
                if (target.equals("team:" + slug) || target.contains("api-key:" + prefix)) {
                    found.add(entry);
                }
            });
            if (response.json().get("next_cursor").isNull()) {
                break;
            }
            cursor = response.json().get("next_cursor").asString();
        }
        return found;
    }

    private Response createTeam(String slug) {
        return api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Team " + slug + "\"}");
    }

    private JsonNode createKey(String slug, String name) {
        Response response = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"" + name + "\",\"mode\":\"sandbox\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private static JsonNode invalid(Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isNotBlank();
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("status").intValue()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).isNotBlank();
        return problem;
    }

    private static List<String> fields(JsonNode problem) {
        return problem.get("errors").valueStream().map(e -> e.get("field").asString()).toList();
    }

    private static String newSlug() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
