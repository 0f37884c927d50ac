package com.ltxgateway.training;

import static com.ltxgateway.training.TrainingValidationApiTests.assertProblem;
import static com.ltxgateway.training.TrainingValidationApiTests.fields;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.ApiOnlyTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Reading trainings back: by id, and as a newest-first list with filters and keyset paging. Runs on an API-only
 * instance so that statuses stay where the test puts them.
 */
class TrainingQueryApiTests extends ApiOnlyTestSupport {

    @Test
    void getsATrainingById() {
        Api.TeamKey team = newTeam("sandbox");
        JsonNode created = create(team.key(), requestWithMetadata("{\"owner\": \"ml\"}"));
        String id = created.get("id").asString();

        Response response = api.get("/v1/trainings/" + id, team.key());

        assertThat(response.status()).isEqualTo(200);
        JsonNode training = response.json();
        assertThat(training).isEqualTo(created);
        assertThat(id).startsWith("trn_");
        assertThat(training.get("team").asString()).isEqualTo(team.slug());
        assertThat(training.get("status").asString()).isEqualTo("pending");
        assertThat(training.get("input").get("number_of_steps").intValue()).isEqualTo(100);
        assertThat(training.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("0.24");
        assertThat(training.get("metadata").get("owner").asString()).isEqualTo("ml");
        for (String field : List.of("webhook_url", "fal_request_id", "queue_position", "output", "error",
                "cancel_requested_at", "submitted_at", "started_at", "finished_at")) {
            assertThat(training.has(field)).as(field).isTrue();
            assertThat(training.get(field).isNull()).as(field).isTrue();
        }
        assertThat(Instant.parse(training.get("created_at").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(training.get("created_at").asString()).endsWith("Z");
    }

    @Test
    void answersAnUnknownIdWith404() {
        Api.TeamKey team = newTeam("sandbox");

        for (String id : List.of("trn_01hzzzzzzzzzzzzzzzzzzzzzzz", "nope", "%20", "trn_" + "x".repeat(300))) {
            Response response = api.get("/v1/trainings/" + id, team.key());
            assertProblem(response, 404);
        }
        // Refused by the web server or not found, but never a server error.
        for (String id : List.of("%00", "trn_%00", "%C0%80", "%ED%A0%80")) {
            Response response = api.get("/v1/trainings/" + id, team.key());
            assertThat(response.status()).as(id + " -> " + response.text()).isIn(400, 404);
        }
    }

    @Test
    void listsNewestFirstWithADefaultLimitOf20() {
        Api.TeamKey team = newTeam("sandbox");
        List<String> created = createMany(team.key(), 22, "default-limit");

        Response response = api.get("/v1/trainings", team.key());

        assertThat(response.status()).isEqualTo(200);
        assertThat(ids(response.json())).containsExactlyElementsOf(created.reversed().subList(0, 20));
        assertThat(response.json().get("next_cursor").asString()).isNotBlank();
    }

    @Test
    void pagesThroughEveryTrainingExactlyOnceWhileNewOnesArrive() {
        Api.TeamKey team = newTeam("sandbox");
        List<String> before = createMany(team.key(), 23, "paging");
        List<String> seen = new ArrayList<>();
        List<String> addedMeanwhile = new ArrayList<>();

        String cursor = null;
        int pages = 0;
        do {
            Response page = api.get("/v1/trainings?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), team.key());
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            assertThat(page.json().get("data").size()).isLessThanOrEqualTo(5);
            seen.addAll(ids(page.json()));
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asString();
            // Newer trainings arrive between pages; they belong before the first page, not in the rest of the walk.
            addedMeanwhile.addAll(createMany(team.key(), 2, "paging"));
            pages++;
        }
        while (cursor != null && pages < 50);

        assertThat(pages).isEqualTo(5);
        assertThat(seen).containsExactlyElementsOf(before.reversed());
        assertThat(seen).doesNotContainAnyElementsOf(addedMeanwhile);

        Response fresh = api.get("/v1/trainings?limit=100", team.key());
        List<String> all = new ArrayList<>(before);
        all.addAll(addedMeanwhile);
        assertThat(ids(fresh.json())).containsExactlyElementsOf(all.reversed());
        assertThat(fresh.json().get("next_cursor").isNull()).isTrue();
    }

    /** Inserts from other clients while a walk is under way: no training is shown twice or skipped. */
    @Test
    void staysStableUnderConcurrentInserts() throws Exception {
        Api.TeamKey team = newTeam("sandbox");
        List<String> before = createMany(team.key(), 30, "concurrent");
        AtomicBoolean walking = new AtomicBoolean(true);
        List<String> seen = new ArrayList<>();

        try (ExecutorService inserters = Executors.newFixedThreadPool(2)) {
            List<Future<Integer>> inserted = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inserted.add(inserters.submit(() -> {
                    int count = 0;
                    while (walking.get() && count < 200) {
                        create(team.key(), requestWithMetadata("{\"run\": \"concurrent\"}"));
                        count++;
                    }
                    return count;
                }));
            }
            String cursor = null;
            do {
                Response page = api.get("/v1/trainings?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), team.key());
                assertThat(page.status()).as(page.text()).isEqualTo(200);
                seen.addAll(ids(page.json()));
                cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asString();
            }
            while (cursor != null && seen.size() < 2000);
            walking.set(false);
            for (Future<Integer> future : inserted) {
                future.get(60, TimeUnit.SECONDS);
            }
        }

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen.subList(seen.size() - before.size(), seen.size())).containsExactlyElementsOf(before.reversed());
    }

    @Test
    void filtersByStatus() {
        Api.TeamKey team = newTeam("sandbox");
        List<String> created = createMany(team.key(), 3, "status");
        assertThat(api.post("/v1/trainings/" + created.get(1) + "/cancel", team.key(), null).status()).isEqualTo(202);

        assertThat(ids(list(team.key(), "status=canceled"))).containsExactly(created.get(1));
        assertThat(ids(list(team.key(), "status=pending"))).containsExactly(created.get(2), created.get(0));
        assertThat(ids(list(team.key(), "status=queued"))).isEmpty();
        assertThat(ids(list(team.key(), "status=pending&limit=1"))).containsExactly(created.get(2));
        String cursor = list(team.key(), "status=pending&limit=1").get("next_cursor").asString();
        JsonNode second = list(team.key(), "status=pending&limit=1&cursor=" + cursor);
        assertThat(ids(second)).containsExactly(created.get(0));
        assertThat(second.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void filtersByMetadata() {
        Api.TeamKey team = newTeam("sandbox");
        String a = create(team.key(), requestWithMetadata("{\"project\": \"x\", \"owner\": \"a b&c=d\"}")).get("id").asString();
        create(team.key(), requestWithMetadata("{\"project\": \"y\"}"));
        String c = create(team.key(), requestWithMetadata("{\"project\": \"x\", \"owner\": \"z\"}")).get("id").asString();
        create(team.key(), requestWithMetadata("{}"));

        assertThat(ids(list(team.key(), "metadata.project=x"))).containsExactly(c, a);
        assertThat(ids(list(team.key(), "metadata.project=x&metadata.owner=" + encode("a b&c=d")))).containsExactly(a);
        assertThat(ids(list(team.key(), "metadata.owner=z&status=pending"))).containsExactly(c);
        assertThat(ids(list(team.key(), "metadata.project=q"))).isEmpty();
        assertThat(ids(list(team.key(), "metadata.project=X"))).isEmpty();
        assertThat(ids(list(team.key(), "metadata." + encode("weird\"key") + "=" + encode("\\\"}")))).isEmpty();
    }

    @Test
    void refusesInvalidQueryParametersNamingThem() {
        Api.TeamKey team = newTeam("sandbox");
        create(team.key(), requestWithMetadata("{}"));
        String beyondTimestamps = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("9000000000000000000:trn_x").getBytes(StandardCharsets.UTF_8));
        String beforeTimestamps = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("-9000000000000000000:trn_x").getBytes(StandardCharsets.UTF_8));
        Map<String, String> invalid = Map.ofEntries(
                Map.entry("limit=0", "limit"),
                Map.entry("limit=101", "limit"),
                Map.entry("limit=abc", "limit"),
                Map.entry("limit=", "limit"),
                Map.entry("limit=99999999999", "limit"),
                Map.entry("status=done", "status"),
                Map.entry("status=PENDING", "status"),
                Map.entry("cursor=!!!", "cursor"),
                Map.entry("cursor=" + Base64.getUrlEncoder().encodeToString("abc".getBytes(StandardCharsets.UTF_8)), "cursor"),
                Map.entry("cursor=" + beyondTimestamps, "cursor"),
                Map.entry("cursor=" + beforeTimestamps, "cursor"),
                Map.entry("cursor=" + Base64.getUrlEncoder().encodeToString("1:trn_\u0000".getBytes(StandardCharsets.UTF_8)), "cursor"),
                Map.entry("sort=asc", "sort"),
                Map.entry("metadata.=x", "metadata."),
                // PostgreSQL cannot compare with text holding U+0000 at all
                Map.entry("metadata.k=a%00b", "metadata.k"),
                Map.entry("team=a%00b", "team"));
        for (var entry : invalid.entrySet()) {
            Response response = api.get("/v1/trainings?" + entry.getKey(), team.key());
            JsonNode problem = assertProblem(response, 400);
            assertThat(fields(problem)).as(entry.getKey()).containsExactly(entry.getValue());
            assertThat(problem.get("detail").asString()).as(entry.getKey()).contains(entry.getValue());
        }
        // Spring Security's firewall refuses such a name before the API can say more.
        assertProblem(api.get("/v1/trainings?metadata.k%00=v", team.key()), 400);
    }

    @Test
    void adminSeesEveryTeamAndCanFilterByTeam() {
        Api.TeamKey teamA = newTeam("sandbox");
        Api.TeamKey teamB = newTeam("sandbox");
        String run = UUID.randomUUID().toString();
        String a = create(teamA.key(), requestWithMetadata("{\"run\": \"" + run + "\"}")).get("id").asString();
        String b = create(teamB.key(), requestWithMetadata("{\"run\": \"" + run + "\"}")).get("id").asString();

        assertThat(ids(list(ADMIN_KEY, "metadata.run=" + run))).containsExactly(b, a);
        assertThat(ids(list(ADMIN_KEY, "metadata.run=" + run + "&team=" + teamA.slug()))).containsExactly(a);
        assertThat(ids(list(ADMIN_KEY, "team=" + teamB.slug()))).containsExactly(b);
        assertThat(ids(list(ADMIN_KEY, "team=no-such-team"))).isEmpty();
        assertThat(ids(list(teamA.key(), "metadata.run=" + run))).containsExactly(a);

        Response asAdmin = api.get("/v1/trainings/" + b, ADMIN_KEY);
        assertThat(asAdmin.status()).isEqualTo(200);
        assertThat(asAdmin.json().get("team").asString()).isEqualTo(teamB.slug());
        assertThat(api.get("/v1/trainings/" + b + "/events", ADMIN_KEY).status()).isEqualTo(200);
    }

    /** The list of a busy deployment is paged by admins too: their walk covers all teams, newest first. */
    @Test
    void adminPagesAcrossTeams() {
        Api.TeamKey teamA = newTeam("sandbox");
        Api.TeamKey teamB = newTeam("sandbox");
        String run = UUID.randomUUID().toString();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Api.TeamKey team = i % 2 == 0 ? teamA : teamB;
            created.add(create(team.key(), requestWithMetadata("{\"run\": \"" + run + "\"}")).get("id").asString());
        }

        List<String> seen = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = list(ADMIN_KEY, "limit=4&metadata.run=" + run + (cursor == null ? "" : "&cursor=" + cursor));
            seen.addAll(ids(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
            assertThat(cursor == null || cursors.add(cursor)).isTrue();
        }
        while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(created.reversed());
    }

    private List<String> createMany(String key, int count, String run) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(create(key, requestWithMetadata("{\"run\": \"" + run + "\"}")).get("id").asString());
        }
        return ids;
    }

    private JsonNode list(String key, String query) {
        Response response = api.get("/v1/trainings?" + query, key);
        assertThat(response.status()).as(query + " -> " + response.text()).isEqualTo(200);
        return response.json();
    }

    private static List<String> ids(JsonNode page) {
        return page.get("data").valueStream().map(t -> t.get("id").asString()).toList();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
