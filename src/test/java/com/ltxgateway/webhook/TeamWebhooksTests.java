package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.github.f4b6a3.ulid.UlidCreator;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.SteppedGatewayTestSupport;
import com.ltxgateway.webhook.Receiver.Reply;
import com.ltxgateway.webhook.Receiver.Request;
import com.standardwebhooks.Webhook;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks to teams, end to end: sandbox trainings change state, the gateway signs and sends each event to real
 * receivers on loopback, and receivers verify them with the Standard Webhooks library, as a team would. The tracker,
 * the simulator and the dispatcher run round by round on a clock the test moves, so runs, retry waits and Retry-After
 * take no real time, and a wait is seen to the millisecond.
 */
class TeamWebhooksTests extends SteppedGatewayTestSupport {

    private static final String ALL_EVENTS = "training.queued, training.running, training.succeeded";

    private final List<Receiver> receivers = new ArrayList<>();

    @AfterEach
    void stopReceivers() {
        receivers.forEach(Receiver::close);
    }

    @Test
    void signsEveryEventToTheTrainingsUrlAndToSubscribedEndpoints() {
        Team team = newTeam();
        String secret = createSecret(team.slug());
        Receiver receiver = receiver();
        JsonNode endpoint = register(team.slug(), receiver.url("/endpoint"), "[\"training.queued\", \"training.succeeded\"]");
        assertThat(endpoint.get("events").valueStream().map(JsonNode::asString)).containsExactly("training.queued", "training.succeeded");

        String id = create(team.key(), withWebhookUrl(receiver.url("/training?token=s3cr3t-query"))).get("id").asString();
        JsonNode done = stepUntilStatus(team.key(), id, "succeeded");
        stepUntilDeliveriesFinished(id, 5);

        List<Request> toTraining = received(receiver, id, "/training");
        List<Request> toEndpoint = received(receiver, id, "/endpoint");
        assertThat(toTraining).extracting(Request::type).containsExactlyInAnyOrder(ALL_EVENTS.split(", "));
        assertThat(toEndpoint).extracting(Request::type).containsExactlyInAnyOrder("training.queued", "training.succeeded");
        for (Request request : concat(toTraining, toEndpoint)) {
            assertThat(request.verifiesWith(secret)).as(request.type()).isTrue();
            assertThat(request.header("content-type")).isEqualTo("application/json");
            assertThat(request.webhookId()).startsWith("msg_");
            assertThat(Long.parseLong(request.header("webhook-timestamp")))
                    .isBetween(clock.instant().minusSeconds(60).getEpochSecond(), clock.instant().getEpochSecond());
            assertThat(request.header("webhook-signature")).startsWith("v1,").doesNotContain(" ");
            JsonNode body = request.json();
            assertThat(body.propertyNames()).containsExactly("type", "timestamp", "data");
            assertThat(body.get("type").asString()).isEqualTo("training." + body.get("data").get("status").asString());
            assertThat(Instant.parse(body.get("timestamp").asString())).isBeforeOrEqualTo(clock.instant());
        }
        // One event, one webhook-id, whichever destination it goes to; a forged signature is refused.
        assertThat(webhookIdOf(toTraining, "training.queued")).isEqualTo(webhookIdOf(toEndpoint, "training.queued"));
        assertThat(toTraining.stream().map(Request::webhookId).distinct()).hasSize(3);
        assertThat(toTraining.getFirst().verifiesWith(newSecret())).isFalse();
        // The data is the training as the API shows it at that moment.
        Request succeeded = toTraining.stream().filter(r -> r.type().equals("training.succeeded")).findFirst().orElseThrow();
        assertThat(succeeded.json().get("data")).isEqualTo(done);
        Request queued = toTraining.stream().filter(r -> r.type().equals("training.queued")).findFirst().orElseThrow();
        assertThat(queued.json().get("data").get("finished_at").isNull()).isTrue();
        assertThat(queued.json().get("data").get("webhook_url").asString()).isEqualTo(receiver.url("/training?token=s3cr3t-query"));

        List<JsonNode> timeline = webhookEvents(team.key(), id);
        assertThat(timeline).hasSize(5).allSatisfy(event -> {
            assertThat(event.get("status").asString()).isEqualTo("delivered");
            assertThat(event.get("message").asString()).contains(": HTTP 200 in ").contains("(attempt 1)")
                    .doesNotContain("s3cr3t-query");
        });
        assertThat(timeline).extracting(e -> e.get("message").asString())
                .anyMatch(m -> m.startsWith("training.queued to " + receiver.url("/training") + ": HTTP 200"))
                .anyMatch(m -> m.startsWith("training.succeeded to " + receiver.url("/endpoint") + ": HTTP 200"));

        List<JsonNode> deliveries = deliveriesOf(id);
        assertThat(deliveries).hasSize(5).allSatisfy(delivery -> {
            assertThat(delivery.get("status").asString()).isEqualTo("delivered");
            assertThat(delivery.get("attempt_count").asInt()).isOne();
            assertThat(delivery.get("last_attempt").get("http_status").asInt()).isEqualTo(200);
            assertThat(delivery.get("team").asString()).isEqualTo(team.slug());
            assertThat(delivery.get("next_attempt_at").isNull()).isTrue();
        });
        assertThat(deliveries).filteredOn(d -> d.get("endpoint_id").isNull()).hasSize(3);
        assertThat(deliveries).filteredOn(d -> d.get("endpoint_id").asString().equals(endpoint.get("id").asString())).hasSize(2);
    }

    @Test
    void retriesAReceiverThatIsDownWithTheSameWebhookId() {
        Team team = newTeam();
        String secret = createSecret(team.slug());
        Receiver receiver = receiver();
        register(team.slug(), receiver.url("/hooks"), "[\"training.queued\"]");
        receiver.down();

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        JsonNode failedOnce = stepUntilDelivery(id, d -> d.path("last_attempt").path("error").asString("").equals("connection refused"));
        assertThat(failedOnce.get("status").asString()).isEqualTo("pending");
        assertThat(failedOnce.get("last_error").asString()).isEqualTo("connection refused");
        assertThat(failedOnce.get("next_attempt_at").isNull()).isFalse();
        receiver.up();

        JsonNode delivered = stepUntilDelivery(id, d -> d.get("status").asString().equals("delivered"));
        assertThat(delivered.get("attempt_count").asInt()).isGreaterThan(1);
        assertThat(receiver.received(id)).singleElement().satisfies(request -> {
            assertThat(request.webhookId()).isEqualTo(delivered.get("event_id").asString());
            assertThat(request.verifiesWith(secret)).isTrue();
        });
        JsonNode detail = api.get("/v1/admin/webhook-deliveries/" + delivered.get("id").asString(), ADMIN_KEY).json();
        assertThat(detail.get("event_id")).isEqualTo(delivered.get("event_id"));
        assertThat(detail.get("status").asString()).isEqualTo("delivered");
        List<JsonNode> attempts = detail.get("attempts").valueStream().toList();
        assertThat(attempts).hasSize(delivered.get("attempt_count").asInt());
        assertThat(attempts.getFirst().get("error").asString()).isEqualTo("connection refused");
        assertThat(attempts.getFirst().get("http_status").isNull()).isTrue();
        assertThat(attempts.getLast().get("http_status").asInt()).isEqualTo(200);
        assertThat(attempts.getLast().get("sent_by").asString()).isNotBlank();
        assertThat(attempts).extracting(a -> a.get("attempt").asInt()).doesNotHaveDuplicates().isSorted();

        List<JsonNode> timeline = webhookEvents(team.key(), id);
        assertThat(timeline.getFirst().get("status").asString()).isEqualTo("pending");
        assertThat(timeline.getFirst().get("message").asString()).contains("connection refused (attempt 1); next attempt at ");
        assertThat(timeline.getLast().get("status").asString()).isEqualTo("delivered");
    }

    @Test
    void givesUpAfterTheLastRetryNeverSoonerThanRetryAfterAndRedeliversOnRequest() {
        Team team = newTeam();
        String secret = createSecret(team.slug());
        Receiver receiver = receiver();
        receiver.respond(request -> new Reply(503, Map.of("Retry-After", "1")));
        register(team.slug(), receiver.url("/flaky"), "[\"training.queued\"]");

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        runDueWork();
        assertThat(receiver.received(id)).as("the first attempt").hasSize(1);
        // The schedule waits 200 ms, 500 ms, 1 s (each at most a tenth longer); the receiver asked for 1 s each time.
        for (int retry = 1; retry <= 3; retry++) {
            clock.advance(Duration.ofMillis(999));
            assertThat(webhookDispatcher.runOnce()).as("retry %d before Retry-After", retry).isZero();
            clock.advance(Duration.ofMillis(201));
            assertThat(webhookDispatcher.runOnce()).as("retry %d", retry).isOne();
        }
        JsonNode failed = stepUntilDelivery(id, d -> d.get("status").asString().equals("failed"));

        List<Request> attempts = receiver.received(id);
        assertThat(attempts).hasSize(4).extracting(Request::webhookId).containsOnly(failed.get("event_id").asString());
        assertThat(failed.get("attempt_count").asInt()).isEqualTo(4);
        assertThat(failed.get("last_error").asString()).startsWith("HTTP 503 in ");
        assertThat(webhookEvents(team.key(), id).getLast().get("message").asString()).endsWith("(attempt 4); no attempts left");
        assertThat(api.get("/v1/admin/webhook-deliveries?status=failed&training=" + id, ADMIN_KEY).json().get("data").size()).isOne();
        assertThat(api.get("/v1/admin/webhook-deliveries?status=pending&training=" + id, ADMIN_KEY).json().get("data").size()).isZero();

        receiver.respond(request -> Reply.of(204));
        Response redelivered = api.post("/v1/admin/webhook-deliveries/" + failed.get("id").asString() + "/redeliver", ADMIN_KEY, null);

        assertThat(redelivered.status()).as(redelivered.text()).isEqualTo(202);
        assertThat(redelivered.json().get("status").asString()).isEqualTo("pending");
        JsonNode delivered = stepUntilDelivery(id, d -> d.get("status").asString().equals("delivered"));
        assertThat(delivered.get("attempt_count").asInt()).isEqualTo(5);
        assertThat(delivered.get("last_error").isNull()).isTrue();
        assertThat(receiver.received(id)).hasSize(5).last().satisfies(request -> {
            assertThat(request.webhookId()).isEqualTo(failed.get("event_id").asString());
            assertThat(request.verifiesWith(secret)).isTrue();
        });
        assertThat(auditActions()).contains("webhook_delivery.redelivered webhook-delivery:" + failed.get("id").asString());

        assertThat(api.post("/v1/admin/webhook-deliveries/dlv_01jzzzzzzzzzzzzzzzzzzzzzzz/redeliver", ADMIN_KEY, null).status())
                .isEqualTo(404);
    }

    @Test
    void a410DisablesTheEndpointAndEndsItsDeliveries() {
        Team team = newTeam();
        createSecret(team.slug());
        Receiver receiver = receiver();
        receiver.respond(request -> Reply.of(410));
        String endpointId = register(team.slug(), receiver.url("/gone"), null).get("id").asString();

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        stepUntilDeliveriesFinished(id, 1);

        assertThat(receiver.received(id)).singleElement().extracting(Request::type).isEqualTo("training.queued");
        JsonNode delivery = deliveriesOf(id).getFirst();
        assertThat(delivery.get("status").asString()).isEqualTo("failed");
        assertThat(delivery.get("attempt_count").asInt()).isOne();
        JsonNode endpoint = api.get("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY).json().get("data").get(0);
        assertThat(endpoint.get("id").asString()).isEqualTo(endpointId);
        assertThat(endpoint.get("disabled_at").isNull()).isFalse();
        assertThat(endpoint.get("disabled_reason").asString())
                .startsWith("HTTP 410 Gone in answer to delivery " + delivery.get("id").asString());
        assertThat(webhookEvents(team.key(), id)).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).endsWith("; the endpoint is disabled"));

        Response redeliver = api.post("/v1/admin/webhook-deliveries/" + delivery.get("id").asString() + "/redeliver", ADMIN_KEY, null);
        assertThat(redeliver.status()).as(redeliver.text()).isEqualTo(409);
        assertThat(redeliver.json().get("detail").asString()).contains("the endpoint is disabled");
    }

    @Test
    void aRotatedSecretKeepsSigningAlongsideItsSuccessor() {
        Team team = newTeam();
        String first = createSecret(team.slug());
        // Time passes between the two, as it does outside a test: which secret is current is told by when it was made.
        clock.advance(Duration.ofSeconds(1));
        Response rotated = api.post("/v1/admin/teams/" + team.slug() + "/webhook-secret", ADMIN_KEY, null);

        assertThat(rotated.status()).isEqualTo(201);
        String second = rotated.json().get("secret").asString();
        assertThat(second).startsWith("whsec_").isNotEqualTo(first);
        assertThat(Instant.parse(rotated.json().get("previous_secret_expires_at").asString()))
                .isBetween(clock.instant().plus(Duration.ofHours(23)), clock.instant().plus(Duration.ofHours(25)));

        Receiver receiver = receiver();
        String id = create(team.key(), withWebhookUrl(receiver.url("/rotating"))).get("id").asString();
        stepUntil(() -> !receiver.received(id).isEmpty());

        Request request = receiver.received(id).getFirst();
        String[] signatures = request.header("webhook-signature").split(" ");
        assertThat(signatures).hasSize(2);
        // The current secret's signature first; each verifies with its own secret alone.
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertThat(signatures[0]).isEqualTo(sign(second, request, timestamp));
        assertThat(signatures[1]).isEqualTo(sign(first, request, timestamp));
        assertThat(request.verifiesWith(first)).isTrue();
        assertThat(request.verifiesWith(second)).isTrue();
        assertThat(request.verifiesWith(newSecret())).isFalse();

        // Secrets are shown once: nowhere else in the admin API.
        for (String path : List.of("/v1/admin/teams/" + team.slug() + "/webhooks", "/v1/admin/audit-log?limit=100",
                "/v1/admin/webhook-deliveries?training=" + id)) {
            String text = api.get(path, ADMIN_KEY).text();
            assertThat(text).doesNotContain(first.substring(6)).doesNotContain(second.substring(6));
        }
        assertThat(auditActions()).contains("webhook_secret.created team:" + team.slug(), "webhook_secret.rotated team:" + team.slug());
        // Stored encrypted: neither secret's bytes are in what the database holds.
        assertThat(jdbc.sql("select ciphertext from webhook_secret where team_id = (select id from team where slug = ?)")
                .param(team.slug()).query(byte[].class).list())
                .hasSize(2)
                .allSatisfy(stored -> assertThat(bytes(stored)).doesNotContain(bytes(first)).doesNotContain(bytes(second)));
    }

    @Test
    void waitsForTheTeamsFirstSigningSecret() {
        Team team = newTeam();
        Receiver receiver = receiver();
        register(team.slug(), receiver.url("/unsigned"), "[\"training.queued\"]");

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        JsonNode waiting = stepUntilDelivery(id, d -> !d.get("last_attempt").isNull() && d.get("status").asString().equals("pending"));

        assertThat(waiting.get("last_error").asString()).isEqualTo("not sent: the team has no signing secret yet");
        assertThat(receiver.received(id)).isEmpty();
        String secret = createSecret(team.slug());
        JsonNode delivered = stepUntilDelivery(id, d -> d.get("status").asString().equals("delivered"));
        assertThat(receiver.received(id)).singleElement().satisfies(request -> {
            assertThat(request.verifiesWith(secret)).isTrue();
            assertThat(request.webhookId()).isEqualTo(delivered.get("event_id").asString());
        });
    }

    @Test
    void refusesInternalDestinationsWhenRegisteringAndCreating() {
        Team team = newTeam();
        Map<String, String> refused = Map.of(
                "http://10.0.0.1/hooks", "must not point at a private address",
                "http://169.254.169.254/latest/meta-data/", "must not point at a link-local address",
                "http://[::1]:8080/hooks", "must not point at a loopback address",
                "http://127.0.0.2:8080/hooks", "must not point at a loopback address",
                "http://100.64.0.1/", "must not point at a carrier-grade NAT address",
                "http://0.0.0.0:8080/", "must not point at an unspecified address",
                "ftp://hooks.example.com/x", "must be an absolute http or https URL");
        refused.forEach((url, message) -> {
            Response registration = api.post("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY, "{\"url\": \"" + url + "\"}");
            assertThat(registration.status()).as(url + " -> " + registration.text()).isEqualTo(400);
            assertThat(violations(registration)).as(url).containsExactly(Map.entry("url", message));

            Response creation = api.post("/v1/trainings", team.key(), withWebhookUrl(url));
            assertThat(creation.status()).as(url + " -> " + creation.text()).isEqualTo(400);
            assertThat(violations(creation)).as(url).containsExactly(Map.entry("webhook_url", message));
        });

        Response badEvents = api.post("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY,
                "{\"url\": \"https://hooks.example.com/x\", \"events\": [\"training.queued\", \"training.exploded\", null]}");
        assertThat(badEvents.status()).isEqualTo(400);
        String known = "must be one of training.queued, training.running, training.succeeded, training.failed, training.canceled, "
                + "budget.alert, budget.exhausted";
        assertThat(violations(badEvents)).containsExactly(Map.entry("events[1]", known), Map.entry("events[2]", known));
        assertThat(violations(api.post("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY, "{\"events\": []}")))
                .containsOnly(Map.entry("url", "is required"),
                        Map.entry("events", "must name at least one event; leave it out for every event"));
        assertThat(violations(api.post("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY,
                "{\"url\": \"https://hooks.example.com/x\", \"secret\": \"mine\"}"))).containsExactly(Map.entry("secret", "unknown field"));
        assertThat(api.get("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY).json().get("data").size()).isZero();
        assertThat(api.get("/v1/trainings", team.key()).json().get("data").size()).isZero();

        assertThat(api.post("/v1/admin/teams/no-such-team/webhooks", ADMIN_KEY, "{\"url\": \"https://hooks.example.com/x\"}").status())
                .isEqualTo(404);
        assertThat(api.post("/v1/admin/teams/no-such-team/webhook-secret", ADMIN_KEY, null).status()).isEqualTo(404);
        assertThat(api.post("/v1/admin/teams/" + team.slug() + "/webhooks", team.key(),
                "{\"url\": \"https://hooks.example.com/x\"}").status()).isEqualTo(404);
        assertThat(api.post("/v1/admin/teams/" + team.slug() + "/webhook-secret", team.key(), null).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/webhook-deliveries", team.key()).status()).isEqualTo(404);
    }

    @Test
    void aSecretNoKeyOpensFailsTheDeliveryOnceInsteadOfRetryingIt() {
        Team team = newTeam();
        Receiver receiver = receiver();
        register(team.slug(), receiver.url("/undecryptable"), "[\"training.queued\"]");
        createSecret(team.slug());
        // As if sealed with a key the gateway no longer has.
        jdbc.sql("update webhook_secret set ciphertext = set_byte(ciphertext, 20, (get_byte(ciphertext, 20) + 1) % 256) where team_id = "
                + "(select id from team where slug = ?)").param(team.slug()).update();

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        JsonNode failed = stepUntilDelivery(id, d -> d.get("status").asString().equals("failed"));

        assertThat(failed.get("attempt_count").asInt()).isOne();
        assertThat(failed.get("last_error").asString()).startsWith("failed: the team's signing secret cannot be decrypted");
        assertThat(receiver.received(id)).isEmpty();
    }

    @Test
    void checksTheDestinationAgainWhenDelivering() {
        Team team = newTeam();
        createSecret(team.slug());
        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        // As if stored before the policy refused it (or before its DNS answer changed).
        jdbc.sql("""
                insert into webhook_delivery (id, event_id, event_type, training_id, team_id, url, payload, status, due_at, created_at)
                select ?, 'msg_refused', 'training.queued', id, team_id, 'http://169.254.169.254/latest/meta-data/', '{}',
                    'pending', now(), now()
                from training where id = ?""")
                .params("dlv_" + UlidCreator.getMonotonicUlid().toString().toLowerCase(), id).update();

        JsonNode failed = stepUntilDelivery(id, d -> d.get("status").asString().equals("failed"));

        assertThat(failed.get("attempt_count").asInt()).isOne();
        assertThat(failed.get("last_error").asString()).isEqualTo("refused: must not point at a link-local address");
        assertThat(failed.get("last_attempt").get("http_status").isNull()).isTrue();
        assertThat(webhookEvents(team.key(), id)).singleElement().satisfies(e -> assertThat(e.get("message").asString())
                .isEqualTo("training.queued to http://169.254.169.254/latest/meta-data/: "
                        + "refused: must not point at a link-local address (attempt 1)"));
    }

    @Test
    void registersListsAndDeletesEndpointsWithAnAuditTrail() {
        Team team = newTeam();
        Response created = api.post("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY,
                "{\"url\": \"https://hooks.example.com/ltx\", \"events\": [\"training.failed\", \"training.failed\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode endpoint = created.json();
        assertThat(endpoint.get("team").asString()).isEqualTo(team.slug());
        assertThat(endpoint.get("url").asString()).isEqualTo("https://hooks.example.com/ltx");
        assertThat(endpoint.get("events").valueStream().map(JsonNode::asString)).containsExactly("training.failed");
        assertThat(endpoint.get("disabled_at").isNull()).isTrue();
        // Registered a moment later, as it would be outside a test: the list is in the order endpoints were registered.
        clock.advance(Duration.ofSeconds(1));
        JsonNode every = register(team.slug(), "https://hooks.example.com/all", null);
        assertThat(every.get("events").valueStream().map(JsonNode::asString)).containsExactly(
                "training.queued", "training.running", "training.succeeded", "training.failed", "training.canceled", "budget.alert",
                "budget.exhausted");

        JsonNode listed = api.get("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY).json().get("data");
        assertThat(listed.valueStream().map(e -> e.get("id").asString()))
                .containsExactly(endpoint.get("id").asString(), every.get("id").asString());
        assertThat(listed.get(0)).isEqualTo(endpoint);

        assertThat(api.delete("/v1/admin/webhooks/" + endpoint.get("id").asString(), ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.delete("/v1/admin/webhooks/" + endpoint.get("id").asString(), ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.delete("/v1/admin/webhooks/not-a-uuid", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.delete("/v1/admin/webhooks/" + every.get("id").asString(), team.key()).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/teams/" + team.slug() + "/webhooks", ADMIN_KEY).json().get("data").valueStream()
                .map(e -> e.get("id").asString())).containsExactly(every.get("id").asString());
        assertThat(auditActions()).contains(
                "webhook_endpoint.created webhook:" + endpoint.get("id").asString() + " team:" + team.slug(),
                "webhook_endpoint.deleted webhook:" + endpoint.get("id").asString());
    }

    @Test
    void listsDeliveriesNewestFirstPageByPage() {
        Team team = newTeam();
        createSecret(team.slug());
        Receiver receiver = receiver();
        String id = create(team.key(), withWebhookUrl(receiver.url("/paged"))).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        stepUntilDeliveriesFinished(id, 3);

        List<String> all = deliveriesOf(id).stream().map(d -> d.get("id").asString()).toList();
        JsonNode first = api.get("/v1/admin/webhook-deliveries?training=" + id + "&limit=2", ADMIN_KEY).json();
        JsonNode second = api.get("/v1/admin/webhook-deliveries?training=" + id + "&limit=2&cursor="
                + first.get("next_cursor").asString(), ADMIN_KEY).json();

        assertThat(all).hasSize(3).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(first.get("data").valueStream().map(d -> d.get("id").asString())).containsExactlyElementsOf(all.subList(0, 2));
        assertThat(second.get("data").valueStream().map(d -> d.get("id").asString())).containsExactly(all.get(2));
        assertThat(second.get("next_cursor").isNull()).isTrue();
        assertThat(deliveriesOf(id)).extracting(d -> d.get("type").asString())
                .containsExactly("training.succeeded", "training.running", "training.queued");

        for (String query : List.of("status=lost", "limit=0", "limit=101", "limit=x", "cursor=abc", "colour=red")) {
            Response response = api.get("/v1/admin/webhook-deliveries?" + query, ADMIN_KEY);
            assertThat(response.status()).as(query + " -> " + response.text()).isEqualTo(400);
            assertThat(violations(response).keySet()).as(query).containsExactly(query.substring(0, query.indexOf('=')));
        }
        assertThat(api.get("/v1/admin/webhook-deliveries/dlv_nope", ADMIN_KEY).status()).isEqualTo(404);
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    @Test
    void tellsSubscribedEndpointsOnceAMonthWhenTheBudgetNearsItsEndAndWhenItRunsOut() {
        Team team = newTeam("live");
        String secret = createSecret(team.slug());
        Receiver receiver = receiver();
        register(team.slug(), receiver.url("/budget"), "[\"budget.alert\", \"budget.exhausted\"]");
        register(team.slug(), receiver.url("/trainings"), "[\"training.queued\"]");
        // 0.24 USD a training: the second takes the month to 80 % of 0.60, the third does not fit.
        assertThat(api.send("PUT", "/v1/admin/teams/" + team.slug() + "/budget", ADMIN_KEY, "{\"monthly_usd\": 0.60}", Map.of()).status())
                .isEqualTo(200);

        create(team.key(), minimalRequest("https://example.com/budget-1.zip"));
        create(team.key(), minimalRequest("https://example.com/budget-2.zip"));
        assertThat(api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget-3.zip")).status()).isEqualTo(402);
        assertThat(api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget-4.zip")).status()).isEqualTo(402);
        stepUntil(() -> receiver.received().stream().filter(r -> r.path().equals("/budget")).count() == 2);
        runDueWork();

        List<Request> budget = receiver.received().stream().filter(r -> r.path().equals("/budget")).toList();
        assertThat(budget).extracting(Request::type).containsExactlyInAnyOrder("budget.alert", "budget.exhausted");
        for (Request request : budget) {
            assertThat(request.verifiesWith(secret)).isTrue();
            JsonNode data = request.json().get("data");
            assertThat(data.get("team").asString()).isEqualTo(team.slug());
            assertThat(data.get("monthly_usd").decimalValue()).isEqualByComparingTo("0.60");
            assertThat(data.get("alert_at_percent").asInt()).isEqualTo(80);
            assertThat(data.get("reserved_usd").decimalValue().add(data.get("spent_usd").decimalValue())).isEqualByComparingTo("0.48");
            assertThat(data.get("remaining_usd").decimalValue()).isEqualByComparingTo("0.12");
            assertThat(data.get("resets_at").asString()).endsWith("-01T00:00:00Z");
        }
        assertThat(receiver.received().stream().filter(r -> r.path().equals("/trainings")))
                .extracting(Request::type).containsOnly("training.queued");
    }

    private record Team(String slug, String key) {
    }

    private Team newTeam() {
        return newTeam("sandbox");
    }

    private Team newTeam(String mode) {
        String slug = "hooks-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"" + slug + "\"}").status()).isEqualTo(201);
        var key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"" + mode + "\"}");
        assertThat(key.status()).isEqualTo(201);
        return new Team(slug, key.json().get("key").asString());
    }

    private Receiver receiver() {
        Receiver receiver = Receiver.start();
        receivers.add(receiver);
        return receiver;
    }

    private String createSecret(String slug) {
        Response response = api.post("/v1/admin/teams/" + slug + "/webhook-secret", ADMIN_KEY, null);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        assertThat(response.json().get("team").asString()).isEqualTo(slug);
        String secret = response.json().get("secret").asString();
        assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");
        return secret;
    }

    /** {@code events}: a JSON array, or null to leave it out. */
    private JsonNode register(String slug, String url, String events) {
        Response response = api.post("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY,
                "{\"url\": \"" + url + "\"" + (events == null ? "" : ", \"events\": " + events) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private static String withWebhookUrl(String url) {
        return "{\"input\":{\"training_data_url\":\"https://example.com/clips.zip\",\"number_of_steps\":100},"
                + "\"webhook_url\":\"" + url + "\"}";
    }

    private List<JsonNode> deliveriesOf(String trainingId) {
        Response response = api.get("/v1/admin/webhook-deliveries?limit=100&training=" + trainingId, ADMIN_KEY);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("data").valueStream().toList();
    }

    private JsonNode stepUntilDelivery(String trainingId, Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        stepUntil(() -> (found[0] = deliveriesOf(trainingId).stream().filter(condition).findFirst().orElse(null)) != null);
        return found[0];
    }

    private void stepUntilDeliveriesFinished(String trainingId, int count) {
        stepUntil(() -> {
            List<JsonNode> deliveries = deliveriesOf(trainingId);
            return deliveries.size() == count && deliveries.stream().noneMatch(d -> d.get("status").asString().equals("pending"));
        });
    }

    private List<JsonNode> webhookEvents(String key, String trainingId) {
        return api.get("/v1/trainings/" + trainingId + "/events", key).json().get("data").valueStream()
                .filter(e -> e.get("type").asString().equals("webhook_delivery"))
                .toList();
    }

    private static List<Request> received(Receiver receiver, String trainingId, String pathPrefix) {
        return receiver.received(trainingId).stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    private static String webhookIdOf(List<Request> requests, String type) {
        return requests.stream().filter(r -> r.type().equals(type)).findFirst().orElseThrow().webhookId();
    }

    private static List<Request> concat(List<Request> first, List<Request> second) {
        List<Request> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private List<String> auditActions() {
        return api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .map(e -> e.get("action").asString() + " " + e.get("target").asString())
                .toList();
    }

    private static Map<String, String> violations(Response response) {
        return response.json().get("errors").valueStream().collect(Collectors.toMap(e -> e.get("field").asString(),
                e -> e.get("message").asString(), (a, b) -> a, LinkedHashMap::new));
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "whsec_" + Base64.getEncoder().encodeToString(bytes);
    }

    /** A secret's key bytes, or stored bytes, as a string that contains another's exactly when the bytes do. */
    private static String bytes(String secret) {
        return bytes(Base64.getDecoder().decode(secret.substring("whsec_".length())));
    }

    private static String bytes(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String sign(String secret, Request request, long timestamp) {
        try {
            return new Webhook(secret).sign(request.webhookId(), timestamp, request.body());
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
