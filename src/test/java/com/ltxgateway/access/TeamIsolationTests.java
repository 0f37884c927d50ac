package com.ltxgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** A team sees only its own trainings, and nothing about another team's: not even that they exist. */
class TeamIsolationTests extends GatewayTestSupport {

    @Test
    void anotherTeamsTrainingIsNotFoundAnywhere() {
        String owner = newTeamKey("sandbox");
        String stranger = newTeamKey("sandbox");
        JsonNode training = create(owner, minimalRequest("https://example.com/clips.zip"));
        String id = training.get("id").asString();
        String ownerSlug = training.get("team").asString();

        Response get = api.get("/v1/trainings/" + id, stranger);
        Response unknown = api.get("/v1/trainings/trn_01j00000000000000000000000", stranger);
        assertNotFound(get);
        assertNotFound(unknown);
        assertThat(get.json().get("title")).isEqualTo(unknown.json().get("title"));
        assertThat(get.json().get("type")).isEqualTo(unknown.json().get("type"));

        assertNotFound(api.post("/v1/trainings/" + id + "/cancel", stranger, null));
        assertNotFound(api.get("/v1/trainings/" + id + "/events", stranger));
        assertThat(ids(api.get("/v1/trainings?limit=100", stranger))).doesNotContain(id).isEmpty();
        assertThat(ids(api.get("/v1/trainings?team=" + ownerSlug, stranger))).isEmpty();
        assertThat(ids(api.get("/v1/trainings?team=" + ownerSlug + "&metadata.x=y", stranger))).isEmpty();

        // The failed attempts changed nothing for the owner.
        JsonNode seenByOwner = api.get("/v1/trainings/" + id, owner).json();
        assertThat(seenByOwner.get("cancel_requested_at").isNull()).isTrue();
        assertThat(seenByOwner.get("status").asString()).isNotEqualTo("canceled");
        assertThat(ids(api.get("/v1/trainings?team=" + ownerSlug, owner))).containsExactly(id);
    }

    @Test
    void refusesMissingAndInvalidKeysWith401() {
        String valid = newTeamKey("sandbox");
        String id = create(valid, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        List<Map<String, String>> attempts = List.of(
                Map.of(),
                Map.of("Authorization", "Bearer ltx_sbx_notarealkey0000000000000000000000000000000"),
                Map.of("Authorization", "Bearer "),
                Map.of("Authorization", "Bearer " + valid + "x"),
                Map.of("Authorization", "Basic " + valid),
                Map.of("Authorization", valid),
                Map.of("Authorization", "Bearer " + "a".repeat(4_000)));

        for (Map<String, String> headers : attempts) {
            for (String[] request : List.of(
                    new String[] { "GET", "/v1/trainings/" + id },
                    new String[] { "GET", "/v1/trainings" },
                    new String[] { "POST", "/v1/trainings" },
                    new String[] { "POST", "/v1/trainings/" + id + "/cancel" },
                    new String[] { "GET", "/v1/admin/teams" })) {
                String body = request[0].equals("POST") ? minimalRequest("https://example.com/clips.zip") : null;
                Response response = api.send(request[0], request[1], null, body, headers);
                assertUnauthenticated(response, request[0] + " " + request[1] + " with " + headers.keySet());
            }
        }
        assertThat(api.get("/v1/trainings", valid).json().get("data").size()).isOne();
        assertThat(api.get("/v1/trainings/" + id, valid).json().get("status").asString()).isNotEqualTo("canceled");
    }

    @Test
    void aRevokedKeyStopsWorkingImmediately() {
        String slug = "team-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Revokers\"}").status()).isEqualTo(201);
        JsonNode issued = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"sandbox\"}").json();
        JsonNode other = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"other\",\"mode\":\"sandbox\"}").json();
        String key = issued.get("key").asString();
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        assertThat(api.get("/v1/trainings/" + id, key).status()).isEqualTo(200);

        assertThat(api.delete("/v1/admin/api-keys/" + issued.get("id").asString(), ADMIN_KEY).status()).isEqualTo(200);

        assertUnauthenticated(api.get("/v1/trainings/" + id, key), "GET after revoke");
        assertUnauthenticated(api.post("/v1/trainings", key, minimalRequest("https://example.com/clips.zip")), "POST after revoke");
        // The team's other key and its trainings are untouched.
        assertThat(api.get("/v1/trainings/" + id, other.get("key").asString()).status()).isEqualTo(200);
    }

    @Test
    void aTeamKeyOnTheAdminApiIsNotFound() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        String slug = api.get("/v1/trainings/" + id, key).json().get("team").asString();

        List<Response> responses = List.of(
                api.get("/v1/admin/teams", key),
                api.post("/v1/admin/teams", key, "{\"slug\":\"sneaky\",\"name\":\"Sneaky\"}"),
                api.get("/v1/admin/teams/" + slug + "/api-keys", key),
                api.post("/v1/admin/teams/" + slug + "/api-keys", key, "{\"name\":\"mine\",\"mode\":\"live\"}"),
                api.delete("/v1/admin/api-keys/" + UUID.randomUUID(), key),
                api.get("/v1/admin/audit-log", key),
                api.get("/v1/admin/no-such-endpoint", key));
        for (Response response : responses) {
            assertNotFound(response);
        }
        assertThat(api.get("/v1/admin/teams", ADMIN_KEY).json().get("data").valueStream()
                .map(t -> t.get("slug").asString())).doesNotContain("sneaky");
        assertThat(api.get("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY).json().get("data").size()).isOne();
    }

    /** Creating trainings is a team's business; an admin key belongs to no team. */
    @Test
    void anAdminKeyCannotCreateTrainings() {
        Response response = api.post("/v1/trainings", ADMIN_KEY, minimalRequest("https://example.com/clips.zip"));

        assertThat(response.status()).as(response.text()).isEqualTo(403);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }

    private static void assertNotFound(Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("status").intValue()).isEqualTo(404);
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }

    private static void assertUnauthenticated(Response response, String what) {
        assertThat(response.status()).as(what + " -> " + response.text()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).as(what).startsWith("Bearer");
        assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").intValue()).isEqualTo(401);
        assertThat(problem.get("type").asString()).endsWith("/unauthenticated");
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
    }

    private static List<String> ids(Response list) {
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        return list.json().get("data").valueStream().map(t -> t.get("id").asString()).toList();
    }
}
