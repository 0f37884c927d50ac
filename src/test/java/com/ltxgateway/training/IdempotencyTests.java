package com.ltxgateway.training;

import static com.ltxgateway.training.TrainingValidationApiTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import javax.sql.DataSource;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Idempotency-Key: a retried create never makes a second training, whatever the timing. */
class IdempotencyTests extends GatewayTestSupport {

    private static final String BODY = """
            {"input": {"training_data_url": "https://example.com/clips.zip", "number_of_steps": 500},
             "metadata": {"run": "idempotency"}}""";

    @Autowired
    IdempotencyRecords records;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Test
    void expiredRecordsArePurgedByOneInstanceAtATime() throws SQLException {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();
        assertThat(createWithKey(key, idempotencyKey, BODY).status()).isEqualTo(202);
        jdbc.sql("update idempotency_record set created_at = created_at - interval '2 days' where idempotency_key = ?")
                .param(idempotencyKey).update();

        try (Connection otherInstance = dataSource.getConnection()) {
            otherInstance.setAutoCommit(false);
            try (var lock = otherInstance.prepareStatement("select pg_advisory_xact_lock(hashtextextended('idempotency:purge', 0))")) {
                lock.execute();
            }
            records.purgeExpired();
            assertThat(records(idempotencyKey)).as("another instance is purging").isEqualTo(1);
            otherInstance.rollback();
        }
        records.purgeExpired();

        assertThat(records(idempotencyKey)).isZero();
    }

    private long records(String idempotencyKey) {
        return jdbc.sql("select count(*) from idempotency_record where idempotency_key = ?").param(idempotencyKey)
                .query(Long.class).single();
    }

    @Test
    void replaysTheOriginalAnswerForTheSameKeyAndBody() {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();

        Response first = createWithKey(key, idempotencyKey, BODY);
        Response second = createWithKey(key, idempotencyKey, BODY);

        assertThat(first.status()).as(first.text()).isEqualTo(202);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(second.status()).as(second.text()).isEqualTo(202);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(second.header("Content-Type")).startsWith("application/json");
        assertThat(second.header("Location")).isEqualTo(first.header("Location"));
        assertThat(second.json()).isEqualTo(first.json());
        assertThat(trainingIds(key)).containsExactly(first.json().get("id").asString());
    }

    /** Key order and spelled-out defaults do not make a different request. */
    @Test
    void treatsAnEquivalentBodyAsTheSameRequest() {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();
        Response first = createWithKey(key, idempotencyKey, BODY);

        Response reordered = createWithKey(key, idempotencyKey, """
                {"metadata": {"run": "idempotency"},
                 "input": {"number_of_steps": 500, "rank": "32", "training_data_url": "https://example.com/clips.zip"}}""");

        assertThat(reordered.status()).as(reordered.text()).isEqualTo(202);
        assertThat(reordered.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(reordered.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(trainingIds(key)).hasSize(1);
    }

    @Test
    void refusesTheSameKeyWithADifferentBody() {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();
        Response first = createWithKey(key, idempotencyKey, BODY);

        Response other = createWithKey(key, idempotencyKey, BODY.replace("500", "600"));

        assertThat(first.status()).isEqualTo(202);
        JsonNode problem = assertProblem(other, 422);
        assertThat(problem.get("type").asString()).endsWith("/idempotency-key-reused");
        assertThat(other.header("Idempotent-Replayed")).isNull();
        assertThat(trainingIds(key)).containsExactly(first.json().get("id").asString());
    }

    @Test
    void scopesKeysToTheTeam() {
        String teamA = newTeamKey("sandbox");
        String teamB = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();

        Response a = createWithKey(teamA, idempotencyKey, BODY);
        Response b = createWithKey(teamB, idempotencyKey, BODY.replace("500", "600"));

        assertThat(a.status()).isEqualTo(202);
        assertThat(b.status()).as(b.text()).isEqualTo(202);
        assertThat(b.header("Idempotent-Replayed")).isNull();
        assertThat(b.json().get("id")).isNotEqualTo(a.json().get("id"));
        assertThat(b.json().get("team")).isNotEqualTo(a.json().get("team"));
        assertThat(trainingIds(teamA)).containsExactly(a.json().get("id").asString());
        assertThat(trainingIds(teamB)).containsExactly(b.json().get("id").asString());
    }

    /** A sandbox key and a live key of one team never share an answer: the same key makes one training of each mode. */
    @Test
    void scopesKeysToTheKeyModeToo() {
        var team = api.newTeam(ADMIN_KEY, "live");
        Response sandboxKey = api.post("/v1/admin/teams/" + team.slug() + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"sandbox\"}");
        String sandbox = sandboxKey.json().get("key").asString();
        String idempotencyKey = UUID.randomUUID().toString();

        Response live = createWithKey(team.key(), idempotencyKey, BODY);
        Response test = createWithKey(sandbox, idempotencyKey, BODY);

        assertThat(live.status()).as(live.text()).isEqualTo(202);
        assertThat(test.status()).as(test.text()).isEqualTo(202);
        assertThat(test.header("Idempotent-Replayed")).isNull();
        assertThat(test.json().get("mode").asString()).isEqualTo("sandbox");
        assertThat(test.json().get("id")).isNotEqualTo(live.json().get("id"));
        assertThat(createWithKey(sandbox, idempotencyKey, BODY).json().get("id")).as("replayed within its mode").isEqualTo(test.json().get("id"));
    }

    @Test
    void createsExactlyOneTrainingForConcurrentRequestsWithOneKey() throws Exception {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();
        int threads = 8;
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> futures = new ArrayList<>();

        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return createWithKey(key, idempotencyKey, BODY);
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
        }
        List<Response> responses = new ArrayList<>();
        for (Future<Response> future : futures) {
            responses.add(future.get(60, TimeUnit.SECONDS));
        }

        List<Response> originals = responses.stream()
                .filter(r -> r.status() == 202 && r.header("Idempotent-Replayed") == null).toList();
        assertThat(originals).as("answers that created a training").hasSize(1);
        String id = originals.getFirst().json().get("id").asString();
        for (Response response : responses) {
            if (response == originals.getFirst()) {
                continue;
            }
            if (response.status() == 409) {
                assertProblem(response, 409);
                assertThat(response.header("Retry-After")).as("Retry-After on 409").isNotBlank();
            }
            else {
                assertThat(response.status()).as(response.text()).isEqualTo(202);
                assertThat(response.header("Idempotent-Replayed")).isEqualTo("true");
                assertThat(response.json().get("id").asString()).isEqualTo(id);
            }
        }
        assertThat(trainingIds(key)).containsExactly(id);

        // Whoever got a 409 and retries gets the original answer.
        Response retry = createWithKey(key, idempotencyKey, BODY);
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.json().get("id").asString()).isEqualTo(id);
    }

    @Test
    void refusesAnInvalidKey() {
        String key = newTeamKey("sandbox");

        for (String invalid : List.of("k".repeat(256), "has space", "tab\tinside")) {
            Response response = api.post("/v1/trainings", key, BODY, Map.of("Idempotency-Key", invalid));
            JsonNode problem = assertProblem(response, 400);
            assertThat(TrainingValidationApiTests.fields(problem)).as(invalid).containsExactly("Idempotency-Key");
        }
        assertThat(trainingIds(key)).isEmpty();

        assertThat(createWithKey(key, "k".repeat(255), BODY).status()).isEqualTo(202);
    }

    /** A refused request stores no answer, so the key can still be used once the body is fixed. */
    @Test
    void doesNotRememberARefusedRequest() {
        String key = newTeamKey("sandbox");
        String idempotencyKey = UUID.randomUUID().toString();

        Response refused = createWithKey(key, idempotencyKey, BODY.replace("500", "50"));
        Response accepted = createWithKey(key, idempotencyKey, BODY);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        assertThat(accepted.header("Idempotent-Replayed")).isNull();
    }

    private Response createWithKey(String key, String idempotencyKey, String body) {
        return api.post("/v1/trainings", key, body, Map.of("Idempotency-Key", idempotencyKey));
    }

    private List<String> trainingIds(String key) {
        Response list = api.get("/v1/trainings?limit=100", key);
        assertThat(list.status()).isEqualTo(200);
        return list.json().get("data").valueStream().map(t -> t.get("id").asString()).toList();
    }
}
