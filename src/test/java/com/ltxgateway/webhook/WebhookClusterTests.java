package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayInstances;
import com.ltxgateway.support.GatewayTestSupport;
import com.ltxgateway.support.TestPostgres;
import com.ltxgateway.webhook.Receiver.Reply;
import com.ltxgateway.webhook.Receiver.Request;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two gateway instances sharing one fresh database, as Kubernetes replicas would: both dispatch from the same
 * outbox, and no attempt reaches a receiver twice.
 */
class WebhookClusterTests {

    private static final String ADMIN_KEY = "ltx_admin_webhook_cluster_0123456789abcdefghijklmnop";
    private static final int TRAININGS = 40;

    private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    private static String jdbcUrl;
    private static Api first;
    private static Api second;

    @BeforeAll
    static void startCluster() {
        jdbcUrl = TestPostgres.newDatabase("webhook_cluster");
        // One after the other: the first runs the migrations the second then finds done.
        first = start();
        second = start();
    }

    @AfterAll
    static void stopCluster() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void instancesShareTheOutboxAndSendNoAttemptTwice() throws Exception {
        try (Receiver receiver = Receiver.start()) {
            // Every training.running event fails once, so retries too are claimed by whichever instance is free.
            Set<String> failedOnce = ConcurrentHashMap.newKeySet();
            receiver.respond(request -> request.type().equals("training.running") && failedOnce.add(request.webhookId())
                    ? Reply.of(503) : Reply.of(200));
            String slug = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
            String key = newTeam(first, slug);
            String secret = first.post("/v1/admin/teams/" + slug + "/webhook-secret", ADMIN_KEY, null).json().get("secret").asString();
            assertThat(second.post("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY,
                    "{\"url\": \"" + receiver.url("/cluster") + "\"}").status()).isEqualTo(201);

            createConcurrently(key, i -> i % 2 == 0 ? first : second);

            JdbcClient jdbc = instances.getFirst().getBean(JdbcClient.class);
            Awaitility.await("every training finished").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> jdbc.sql("select count(*) from training where status = 'succeeded'")
                            .query(Long.class).single() == TRAININGS);
            // A poll may find a training running before it saw it queued; such a training has no queued event.
            long events = jdbc.sql("select count(*) from training_event where type = 'state_changed' and status <> 'pending'")
                    .query(Long.class).single();
            Awaitility.await("every event delivered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> jdbc.sql("select count(*) from webhook_delivery where status = 'delivered'")
                            .query(Long.class).single() == events);
            long running = jdbc.sql("select count(*) from webhook_delivery where event_type = 'training.running'")
                    .query(Long.class).single();

            List<Request> received = receiver.received();
            Map<String, Long> perWebhookId = received.stream().collect(Collectors.groupingBy(Request::webhookId, Collectors.counting()));
            Map<String, Long> attemptsPerEvent = jdbc.sql("""
                    select d.event_id, count(*) as n from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id
                    group by d.event_id""")
                    .query((rs, n) -> Map.entry(rs.getString("event_id"), rs.getLong("n")))
                    .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            // Each attempt reached the receiver exactly once, and each recorded attempt is one the receiver saw.
            assertThat(perWebhookId).isEqualTo(attemptsPerEvent).hasSize((int) events);
            assertThat(received.stream().filter(r -> r.type().equals("training.running"))).hasSize((int) running * 2);
            assertThat(received).hasSize((int) (events + running));
            assertThat(received).allSatisfy(request -> assertThat(request.verifiesWith(secret)).isTrue());
            assertThat(jdbc.sql("""
                    select count(*) from webhook_delivery d
                    where attempts <> (select count(*) from webhook_attempt a where a.delivery_id = d.id)""")
                    .query(Long.class).single()).isZero();
            assertThat(jdbc.sql("select distinct sent_by from webhook_attempt").query(String.class).list()).hasSize(2);
        }
    }

    private static Api start() {
        ConfigurableApplicationContext context = GatewayInstances.start(jdbcUrl,
                "--gateway.bootstrap.admin-key=" + ADMIN_KEY,
                "--gateway.sandbox.queue-duration=300ms",
                "--gateway.sandbox.run-duration=600ms",
                "--gateway.tracker.idle-interval=100ms",
                "--gateway.tracker.poll-min-interval=100ms",
                "--gateway.tracker.poll-max-interval=300ms",
                "--gateway.webhooks.allowed-hosts=127.0.0.1",
                "--gateway.webhooks.encryption-key=" + GatewayTestSupport.WEBHOOK_ENCRYPTION_KEY,
                "--gateway.webhooks.retry-schedule=100ms,100ms,100ms",
                "--gateway.webhooks.idle-interval=50ms",
                "--gateway.webhooks.concurrency=4");
        instances.add(context);
        return GatewayInstances.api(context);
    }

    private static String newTeam(Api api, String slug) {
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"" + slug + "\"}").status()).isEqualTo(201);
        var key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"sandbox\"}");
        assertThat(key.status()).isEqualTo(201);
        return key.json().get("key").asString();
    }

    private static void createConcurrently(String key, Function<Integer, Api> choice) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> created = new ArrayList<>();
            for (int i = 0; i < TRAININGS; i++) {
                Api api = choice.apply(i);
                created.add(clients.submit(() -> api.post("/v1/trainings", key,
                        "{\"input\":{\"training_data_url\":\"https://example.com/clips.zip\",\"number_of_steps\":100}}").status()));
            }
            for (Future<Integer> future : created) {
                assertThat(future.get(60, TimeUnit.SECONDS)).isEqualTo(202);
            }
        }
        finally {
            clients.shutdownNow();
        }
    }
}
