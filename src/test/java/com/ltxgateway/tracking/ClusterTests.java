package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.fal.FalCancellation;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalQueuePriority;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.fal.FalStatus;
import com.ltxgateway.fal.FalSubmission;
import com.ltxgateway.fal.SubmitGate;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayInstances;
import com.ltxgateway.support.TestPostgres;

import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Several gateway instances in one JVM, sharing one fresh database and one {@link FakeFalServer}, as Kubernetes
 * replicas would. Each instance's fal adapter is wrapped in a {@link FalLine}: it still makes the real calls, but
 * counts them and can make the instance die or freeze in the middle of a step.
 */
class ClusterTests {

    private static final String ADMIN_KEY = "ltx_admin_cluster_0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String FAL_KEY = "fal-cluster-key-0123456789";
    private static final int TRAININGS = 200;
    // Longer than one step can take even when both of its fal calls time out (2 x (connect + 2 x read) = 6 s).
    private static final Duration LEASE = Duration.ofSeconds(8);
    private static final Duration FINISH_WITHIN = Duration.ofSeconds(75);

    /** Armed by a test to freeze one submit; consulted by the fal line of every instance. */
    private static final AtomicReference<SubmitStall> STALL = new AtomicReference<>();

    private static final List<Instance> started = new ArrayList<>();
    private static FakeFalServer fal;
    private static FakeFalWebhooks webhooks;
    private static String jdbcUrl;
    private static Instance first;
    private static Instance second;

    record Instance(String name, ConfigurableApplicationContext context, Api api, FalLine line) {

        JdbcClient jdbc() {
            return context.getBean(JdbcClient.class);
        }
    }

    @BeforeAll
    static void startCluster() {
        fal = FakeFalServer.start(FAL_KEY);
        webhooks = FakeFalWebhooks.start();
        fal.queueDuration(Duration.ofMillis(200)).runDuration(Duration.ofMillis(500));
        jdbcUrl = TestPostgres.newDatabase("cluster");
        // One after the other: the first runs the migrations the others then find done.
        first = start("first");
        second = start("second");
    }

    @AfterAll
    static void stopCluster() {
        try {
            for (Instance instance : started) {
                instance.line().crash();
                instance.context().close();
            }
        }
        finally {
            if (fal != null) {
                fal.close();
            }
            if (webhooks != null) {
                webhooks.close();
            }
        }
    }

    @Test
    void instancesShareTheWorkAndSubmitEachTrainingExactlyOnce() throws Exception {
        String team = "cluster-" + shortId();
        String key = newTeam(first, team);
        String prefix = "https://data.example.com/" + team + "/";
        int submittedByFirst = first.line().submitted();
        int submittedBySecond = second.line().submitted();

        createConcurrently(TRAININGS, i -> (i % 2 == 0 ? first : second).api(), key, prefix);

        awaitAllFinished(first, team, TRAININGS);
        assertThat(statusCounts(first, team)).isEqualTo(Map.of("succeeded", (long) TRAININGS));
        assertThat(submittedUrls(prefix)).hasSize(TRAININGS).doesNotHaveDuplicates();
        assertThat(fal.received().stream().filter(c -> c.operation().equals(FakeFalServer.CANCEL)
                && c.trainingDataUrl() != null && c.trainingDataUrl().startsWith(prefix))).isEmpty();
        assertThat(openJobs(first, team)).isZero();
        // Every instance wakes at once for what its own API accepted, so both submit a share of the trainings.
        assertThat(first.line().submitted()).isGreaterThan(submittedByFirst);
        assertThat(second.line().submitted()).isGreaterThan(submittedBySecond);
    }

    @Test
    void survivorsFinishTheTrainingsOfAnInstanceThatDiedHoldingClaims() throws Exception {
        Instance doomed = start("doomed");
        String team = "crash-" + shortId();
        String key = newTeam(first, team);
        String prefix = "https://data.example.com/" + team + "/";
        List<Instance> all = List.of(first, second, doomed);

        createConcurrently(TRAININGS / 2, i -> all.get(i % 3).api(), key, prefix + "a");
        // The doomed instance dies in its next submit, before the call reaches fal; from then on none of its fal
        // calls gets through and each of its steps hangs where a dead process would have stopped, holding its claim.
        // Trainings its own API accepts are claimed by it first (it is woken at once), so that submit comes soon.
        doomed.line().unplugAtNextSubmit();
        createConcurrently(10, i -> doomed.api(), key, prefix + "b");
        createConcurrently(TRAININGS / 2 - 10, i -> all.get(i % 2).api(), key, prefix + "c");
        Awaitility.await("the doomed instance stuck in a submit").atMost(Duration.ofSeconds(30))
                .until(() -> !doomed.line().lostSubmits().isEmpty());

        kill(doomed);
        Set<String> lostSubmits = doomed.line().lostSubmits();
        Set<String> lost = new HashSet<>(lostSubmits);
        lost.addAll(trainingsOfRequests(first, doomed.line().lostPolls()));

        awaitAllFinished(first, team, TRAININGS);
        assertThat(statusCounts(first, team)).isEqualTo(Map.of("succeeded", (long) TRAININGS));
        assertThat(lost).isNotEmpty().allSatisfy(id -> assertThat(status(first, id)).isEqualTo("succeeded"));
        // The dead instance's submits never got past its gate, so nothing was recorded as possibly sent: the survivors'
        // submit is the only one, and none waited for evidence.
        assertThat(submittedUrls(prefix)).hasSize(TRAININGS).doesNotHaveDuplicates();
        for (String id : lostSubmits) {
            assertThat(eventTypes(first, id)).doesNotContain("submit_unconfirmed", "submit_retried", "duplicate_request");
        }
        assertThat(openJobs(first, team)).isZero();
    }

    @Test
    void anInstanceFrozenInsideItsSubmitKeepsItsClaimSoNothingIsSubmittedTwice() {
        String team = "stall-" + shortId();
        String key = newTeam(first, team);
        String url = "https://data.example.com/" + team + "/clips.zip";
        SubmitStall stall = new SubmitStall(url);
        STALL.set(stall);
        try {
            String id = create(first.api(), key, url);

            // fal has the request, but the instance that sent it froze before storing the answer. Its heartbeat keeps
            // its claim, so however long it stays frozen no other instance touches the training.
            Awaitility.await("fal received the submit").atMost(Duration.ofSeconds(30)).until(() -> submissionsFor(url).size() == 1);
            Awaitility.await("nothing else while frozen").during(LEASE.plusSeconds(4)).atMost(LEASE.plusSeconds(10))
                    .until(() -> submissionsFor(url).size() == 1 && "pending".equals(status(first, id)));
            stall.resume();

            Awaitility.await("the training succeeded").atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(status(first, id)));
            assertThat(falRequestId(first, id)).isEqualTo(submissionsFor(url).getFirst().requestId());
            assertThat(submissionsFor(url)).hasSize(1);
            assertThat(eventTypes(first, id)).doesNotContain("submit_unconfirmed", "duplicate_request");
        }
        finally {
            stall.resume();
            STALL.set(null);
        }
    }

    @Test
    void aSubmitWhoseInstanceDiedBeforeStoringTheAnswerIsNeverSentAgainAndFalsWebhookSettlesIt() throws Exception {
        Instance doomed = start("doomed-in-submit");
        String team = "died-" + shortId();
        String key = newTeam(first, team);
        String url = "https://data.example.com/" + team + "/clips.zip";
        // Only the doomed instance may make this submit, and it dies right after fal took the request.
        first.line().holdBack(url);
        second.line().holdBack(url);
        SubmitStall stall = new SubmitStall(url);
        STALL.set(stall);
        try {
            String id = create(doomed.api(), key, url);
            Awaitility.await("fal received the submit").atMost(Duration.ofSeconds(30)).until(() -> submissionsFor(url).size() == 1);
            kill(doomed);
            first.line().release(url);
            second.line().release(url);

            // Its claim comes back after the lease; the survivor finds the attempt open and waits for evidence.
            Awaitility.await("the submit unconfirmed").atMost(LEASE.plusSeconds(30)).until(() -> eventTypes(first, id).contains("submit_unconfirmed"));
            Awaitility.await("nothing sent again").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                    .until(() -> submissionsFor(url).size() == 1 && "pending".equals(status(first, id)));

            FakeFalServer.Submission submission = submissionsFor(url).getFirst();
            Awaitility.await("fal completed the run").atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(fal.state(submission.requestId())));
            String body = """
                    {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "OK", "payload": {
                      "lora_file": {"url": "https://v3.fal.media/files/fake/%1$s/lora.safetensors"},
                      "config_file": {"url": "https://v3.fal.media/files/fake/%1$s/config.json"}}}""".formatted(submission.requestId());
            var delivered = first.api().post(submission.webhookUrl().getRawPath(), null, body,
                    FakeFalWebhooks.asMap(webhooks.sign(submission.requestId(), body, Instant.now())));
            assertThat(delivered.status()).as(delivered.text()).isEqualTo(200);

            Awaitility.await("the delivery applied").atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(status(first, id)));
            assertThat(falRequestId(first, id)).isEqualTo(submission.requestId());
            assertThat(submissionsFor(url)).hasSize(1);
            assertThat(eventTypes(first, id)).doesNotContain("submit_retried", "duplicate_request");
        }
        finally {
            stall.resume();
            STALL.set(null);
            first.line().release(url);
            second.line().release(url);
        }
    }

    @Test
    void aStoppingInstanceFinishesTheSubmitUnderWayAndHandsOverItsTrainings() throws Exception {
        Instance stopping = start("stopping");
        String team = "stop-" + shortId();
        String key = newTeam(first, team);
        String url = "https://data.example.com/" + team + "/clips.zip";
        first.line().holdBack(url);
        second.line().holdBack(url);
        // Under the 1 s read timeout: an answer that comes, only slowly.
        fal.delayNext(1, call -> call.operation().equals(FakeFalServer.SUBMIT) && url.equals(call.trainingDataUrl()), Duration.ofMillis(800));
        try {
            String id = create(stopping.api(), key, url);
            Awaitility.await("the submit under way").atMost(Duration.ofSeconds(30)).until(() -> fal.received().stream()
                    .anyMatch(c -> c.operation().equals(FakeFalServer.SUBMIT) && url.equals(c.trainingDataUrl())));
            stopping.context().close();
            first.line().release(url);
            second.line().release(url);

            assertThat(falRequestId(first, id)).as("the answer was stored before the instance stopped").isNotNull();
            Awaitility.await("the training succeeded").atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(status(first, id)));
            assertThat(submissionsFor(url)).hasSize(1);
            assertThat(eventTypes(first, id)).doesNotContain("submit_unconfirmed", "duplicate_request");
        }
        finally {
            first.line().release(url);
            second.line().release(url);
        }
    }

    // --- the cluster -------------------------------------------------------------------------------------------

    private static Instance start(String name) {
        FalLine line = new FalLine();
        ConfigurableApplicationContext context = GatewayInstances.start(jdbcUrl,
                ctx -> ctx.getBeanFactory().addBeanPostProcessor(line),
                "--gateway.bootstrap.admin-key=" + ADMIN_KEY,
                "--gateway.fal.key=" + FAL_KEY,
                "--gateway.fal.queue-url=" + fal.queueUrl(),
                "--gateway.fal.jwks-url=" + webhooks.jwksUrl(),
                "--gateway.fal.user-id=" + FakeFalWebhooks.USER_ID,
                "--gateway.fal.connect-timeout=1s",
                "--gateway.fal.read-timeout=1s",
                "--gateway.tracker.idle-interval=100ms",
                "--gateway.tracker.poll-min-interval=100ms",
                "--gateway.tracker.poll-max-interval=500ms",
                "--gateway.tracker.retry-initial-interval=200ms",
                "--gateway.tracker.retry-max-interval=1s",
                "--gateway.tracker.lease=" + LEASE.toSeconds() + "s");
        Instance instance = new Instance(name, context, GatewayInstances.api(context), line);
        started.add(instance);
        return instance;
    }

    /**
     * The instance stops working for good: its tracker ends (a real crash would not even get that far), then the
     * fal calls it was stuck in fail without writing anything, so its claims stay until their lease runs out.
     */
    private static void kill(Instance instance) throws InterruptedException {
        Tracker tracker = instance.context().getBean(Tracker.class);
        Thread closing = Thread.ofPlatform().name("close-" + instance.name()).start(instance.context()::close);
        Awaitility.await("the tracker of " + instance.name() + " stopped").atMost(Duration.ofSeconds(30))
                .until(() -> !tracker.isRunning());
        instance.line().crash();
        closing.join(Duration.ofSeconds(60));
        assertThat(closing.isAlive()).as("instance %s closed", instance.name()).isFalse();
        assertThat(instance.context().isActive()).isFalse();
    }

    // --- API -----------------------------------------------------------------------------------------------------

    private static String newTeam(Instance instance, String slug) {
        var team = instance.api().post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"" + slug + "\"}");
        assertThat(team.status()).as(team.text()).isEqualTo(201);
        var key = instance.api().post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"live\"}");
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.json().get("key").asString();
    }

    private static String create(Api api, String key, String url) {
        var response = api.post("/v1/trainings", key, "{\"input\":{\"training_data_url\":\"" + url + "\",\"number_of_steps\":100}}");
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return response.json().get("id").asString();
    }

    private interface ApiChoice {
        Api forTraining(int index);
    }

    /** Creates {@code count} trainings named {@code prefix + index}, a few at a time, spread as {@code choice} says. */
    private static void createConcurrently(int count, ApiChoice choice, String key, String prefix) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                created.add(clients.submit(() -> create(choice.forTraining(index), key, prefix + index + ".zip")));
            }
            for (Future<String> future : created) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            clients.shutdownNow();
        }
    }

    // --- what fal saw --------------------------------------------------------------------------------------------

    private static List<String> submittedUrls(String prefix) {
        return fal.submissions().stream()
                .map(s -> s.input().path("training_data_url").asString())
                .filter(url -> url.startsWith(prefix))
                .toList();
    }

    private static List<FakeFalServer.Submission> submissionsFor(String url) {
        return fal.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString())).toList();
    }

    // --- what the database says ------------------------------------------------------------------------------------

    private static void awaitAllFinished(Instance instance, String team, int expected) {
        try {
            Awaitility.await("all trainings of " + team + " finished").atMost(FINISH_WITHIN).pollInterval(Duration.ofMillis(250))
                    .until(() -> instance.jdbc().sql("""
                    select count(*) from training t join team on team.id = t.team_id
                    where team.slug = ? and t.status in ('succeeded', 'failed', 'canceled')""")
                    .param(team).query(Long.class).single() == expected);
        }
        catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not all finished: " + instance.jdbc().sql("""
                    select t.status || ' attempts=' || t.submit_attempts || ' open=' || (t.submit_attempted_at is not null)
                        || ' unconfirmed=' || (t.submit_unconfirmed_at is not null) || ' lease=' || coalesce(j.lease_owner, '-')
                        || ' due_in=' || coalesce(extract(epoch from j.due_at - now())::int::text, '-') as state, count(*)
                    from training t join team on team.id = t.team_id left join tracking_job j on j.training_id = t.id
                    where team.slug = ? and t.status not in ('succeeded', 'failed', 'canceled') group by 1""")
                    .param(team).query((rs, n) -> rs.getString(1) + ": " + rs.getLong(2)).list(), e);
        }
    }

    private static Map<String, Long> statusCounts(Instance instance, String team) {
        return instance.jdbc().sql("""
                select t.status, count(*) as n from training t join team on team.id = t.team_id
                where team.slug = ? group by t.status""")
                .param(team)
                .query((rs, n) -> Map.entry(rs.getString("status"), rs.getLong("n")))
                .list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static long openJobs(Instance instance, String team) {
        return instance.jdbc().sql("""
                select count(*) from tracking_job j join training t on t.id = j.training_id join team on team.id = t.team_id
                where team.slug = ?""").param(team).query(Long.class).single();
    }

    private static String status(Instance instance, String id) {
        return instance.jdbc().sql("select status from training where id = ?").param(id).query(String.class).single();
    }

    private static String falRequestId(Instance instance, String id) {
        return instance.jdbc().sql("select fal_request_id from training where id = ?").param(id).query(String.class).optional()
                .orElse(null);
    }

    private static Set<String> trainingsOfRequests(Instance instance, Set<String> falRequestIds) {
        if (falRequestIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(instance.jdbc().sql("select id from training where fal_request_id in (:ids)")
                .param("ids", List.copyOf(falRequestIds)).query(String.class).list());
    }

    private static List<String> eventTypes(Instance instance, String id) {
        return instance.jdbc().sql("select type from training_event where training_id = ? order by id").param(id)
                .query(String.class).list();
    }

    private static List<String> stateChanges(Instance instance, String id) {
        return instance.jdbc().sql("select status from training_event where training_id = ? and type = 'state_changed' order by id")
                .param(id).query(String.class).list();
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    // --- fault injection -------------------------------------------------------------------------------------------

    /**
     * Stands between one instance's tracker and its real fal adapter. Once unplugged it lets no new call through: the
     * call hangs as if the process had stopped right there, until {@link #crash} makes it fail without an answer,
     * which leaves the step's claim to run out. Calls already under way finish normally, so none is left half done
     * at fal.
     */
    static final class FalLine implements BeanPostProcessor {

        private final AtomicInteger submitted = new AtomicInteger();
        private final Set<String> lostSubmits = ConcurrentHashMap.newKeySet();
        private final Set<String> lostPolls = ConcurrentHashMap.newKeySet();
        private final CountDownLatch crashed = new CountDownLatch(1);
        private final Set<String> heldBack = ConcurrentHashMap.newKeySet();
        private volatile boolean unplugOnSubmit;
        private volatile boolean unplugged;

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            return bean instanceof FalQueue queue ? new Tapped(queue) : bean;
        }

        /** Submits of this training data URL fail as if fal could not be reached, so another instance makes them. */
        void holdBack(String url) {
            heldBack.add(url);
        }

        void release(String url) {
            heldBack.remove(url);
        }

        void unplugAtNextSubmit() {
            unplugOnSubmit = true;
        }

        void crash() {
            unplugged = true;
            crashed.countDown();
        }

        int submitted() {
            return submitted.get();
        }

        /** Trainings whose submit this instance was stuck in when it died. */
        Set<String> lostSubmits() {
            return Set.copyOf(lostSubmits);
        }

        /** fal requests whose status, result or cancel call this instance was stuck in when it died. */
        Set<String> lostPolls() {
            return Set.copyOf(lostPolls);
        }

        private <T> T pass(Set<String> lost, String what, Supplier<T> call) {
            if (unplugged) {
                lost.add(what);
                try {
                    crashed.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the instance died during this fal call");
            }
            return call.get();
        }

        private final class Tapped implements FalQueue, AutoCloseable {

            private final FalQueue adapter;

            Tapped(FalQueue adapter) {
                this.adapter = adapter;
            }

            @Override
            public FalOutcome<FalSubmission> submit(FalEndpoint endpoint, JsonNode input, FalQueuePriority priority, URI webhookUrl,
                    SubmitGate gate) {
                // The webhook URL is /fal/webhooks/{training id}/{token}.
                String[] path = webhookUrl.getPath().split("/");
                String trainingId = path[path.length - 2];
                if (heldBack.contains(input.path("training_data_url").asString())) {
                    return new FalOutcome.Unavailable<>(0, "connection refused", null);
                }
                if (unplugOnSubmit) {
                    unplugged = true;
                }
                return pass(lostSubmits, trainingId, () -> {
                    FalOutcome<FalSubmission> outcome = adapter.submit(endpoint, input, priority, webhookUrl, gate);
                    if (outcome instanceof FalOutcome.Success<FalSubmission>) {
                        submitted.incrementAndGet();
                        SubmitStall stall = STALL.get();
                        if (stall != null) {
                            stall.holdIfFirst(input, crashed);
                        }
                    }
                    return outcome;
                });
            }

            @Override
            public FalOutcome<FalStatus> status(FalEndpoint endpoint, FalRequestRef request, int logsFrom) {
                return pass(lostPolls, request.requestId(), () -> adapter.status(endpoint, request, logsFrom));
            }

            @Override
            public FalOutcome<FalResult> result(FalEndpoint endpoint, FalRequestRef request) {
                return pass(lostPolls, request.requestId(), () -> adapter.result(endpoint, request));
            }

            @Override
            public FalOutcome<FalCancellation> cancel(FalEndpoint endpoint, FalRequestRef request) {
                return pass(lostPolls, request.requestId(), () -> adapter.cancel(endpoint, request));
            }

            @Override
            public void close() throws Exception {
                if (adapter instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        }
    }

    /**
     * Freezes the first submit of one training data URL, on whichever instance makes it, after fal accepted the
     * request and before the instance could store the answer: the one moment a duplicate could arise. An instance that
     * crashes while frozen never gets to store it.
     */
    static final class SubmitStall {

        private final String url;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CountDownLatch resumed = new CountDownLatch(1);

        SubmitStall(String url) {
            this.url = url;
        }

        void holdIfFirst(JsonNode input, CountDownLatch crashed) {
            if (url.equals(input.path("training_data_url").asString()) && taken.compareAndSet(false, true)) {
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                try {
                    while (!resumed.await(50, TimeUnit.MILLISECONDS) && System.nanoTime() < until) {
                        if (crashed.getCount() == 0) {
                            throw new IllegalStateException("the instance died with fal's answer unstored");
                        }
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("the instance died with fal's answer unstored");
                }
            }
        }

        void resume() {
            resumed.countDown();
        }
    }
}
