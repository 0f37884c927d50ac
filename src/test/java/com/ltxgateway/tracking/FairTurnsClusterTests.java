package com.ltxgateway.tracking;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayInstances;
import com.ltxgateway.support.TestPostgres;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account's limit held by two instances on one database, each running its own tracker in real time against one
 * fake fal: the turns are decided from the database, never from what one instance remembers.
 */
class FairTurnsClusterTests {

    private static final String ADMIN_KEY = "ltx_admin_turns_0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String FAL_KEY = "fal-turns-key-0123456789";
    private static final int ACCOUNT_LIMIT = 3;

    private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    private static FakeFalServer fal;
    private static FakeFalWebhooks webhooks;

    @BeforeAll
    static void startTwoInstances() {
        fal = FakeFalServer.start(FAL_KEY);
        webhooks = FakeFalWebhooks.start();
        fal.sendWebhooks(webhooks).queueDuration(Duration.ofMillis(200)).runDuration(Duration.ofMillis(1500));
        String jdbcUrl = TestPostgres.newDatabase("turns");
        for (String name : List.of("first", "second")) {
            instances.add(GatewayInstances.start(jdbcUrl,
                    "--spring.application.name=" + name,
                    "--gateway.bootstrap.admin-key=" + ADMIN_KEY,
                    "--gateway.fal.key=" + FAL_KEY,
                    "--gateway.fal.max-concurrent=" + ACCOUNT_LIMIT,
                    "--gateway.fal.queue-url=" + fal.queueUrl(),
                    "--gateway.fal.jwks-url=" + webhooks.jwksUrl(),
                    "--gateway.fal.user-id=" + FakeFalWebhooks.USER_ID,
                    "--gateway.tracker.idle-interval=100ms",
                    "--gateway.tracker.poll-min-interval=200ms",
                    "--gateway.tracker.poll-max-interval=1s"));
        }
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        if (fal != null) {
            fal.close();
        }
        if (webhooks != null) {
            webhooks.close();
        }
    }

    @Test
    void neverMoreAtFalThanTheAccountsLimitAndATeamArrivingLateGetsTheNextTurns() {
        Api first = GatewayInstances.api(instances.get(0));
        Api second = GatewayInstances.api(instances.get(1));
        Api.TeamKey sweep = first.newTeam(ADMIN_KEY, "live");
        Api.TeamKey late = first.newTeam(ADMIN_KEY, "live");

        for (int i = 0; i < 8; i++) {
            (i % 2 == 0 ? first : second).createTraining(sweep.key(), request(sweep, i));
        }
        Awaitility.await("the first turns taken").atMost(Duration.ofSeconds(20)).until(() -> submissions(sweep).size() == ACCOUNT_LIMIT);
        for (int i = 0; i < 3; i++) {
            (i % 2 == 0 ? second : first).createTraining(late.key(), request(late, i));
        }

        Awaitility.await("every training finished").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> succeeded(first, sweep) == 8 && succeeded(first, late) == 3);

        List<FakeFalServer.Request> requests = fal.requests().stream()
                .filter(r -> r.input().path("training_data_url").asString().startsWith("https://data.example.com/turns/"))
                .toList();
        assertThat(requests).as("each training submitted once").hasSize(11);
        assertThat(mostAtOnce(requests)).isLessThanOrEqualTo(ACCOUNT_LIMIT);
        List<String> order = requests.stream().sorted(Comparator.comparing(FakeFalServer.Request::sentAt))
                .map(r -> r.input().path("training_data_url").asString()).toList();
        // First come, first served would submit the sweep's other five first; turns alternate between the teams
        // instead, so the late team's three are done by the sweep's seventh at the latest.
        List<Integer> lateTurns = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).contains("/" + late.slug() + "/")) {
                lateTurns.add(i + 1);
            }
        }
        assertThat(lateTurns).as("places of the late team's trainings among all submits %s", order).hasSize(3)
                .allMatch(place -> place > ACCOUNT_LIMIT && place <= 9);
    }

    private static String request(Api.TeamKey team, int i) {
        return "{\"input\":{\"training_data_url\":\"https://data.example.com/turns/" + team.slug() + "/" + i + "-"
                + UUID.randomUUID() + ".zip\",\"number_of_steps\":100}}";
    }

    private static List<FakeFalServer.Submission> submissions(Api.TeamKey team) {
        return fal.submissions().stream().filter(s -> s.input().path("training_data_url").asString().contains("/" + team.slug() + "/")).toList();
    }

    private static long succeeded(Api api, Api.TeamKey team) {
        return api.get("/v1/trainings?status=succeeded&limit=100", team.key()).json().get("data").size();
    }

    /** The most requests fal held at one moment, from when each was sent until it ended. */
    private static int mostAtOnce(List<FakeFalServer.Request> requests) {
        record Edge(Instant at, int change) {
        }
        List<Edge> edges = new ArrayList<>();
        requests.forEach(r -> {
            edges.add(new Edge(r.sentAt(), 1));
            edges.add(new Edge(r.endedAt(), -1));
        });
        // An end and a start at the same instant: the end first, the slot was free.
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::change));
        int now = 0;
        int most = 0;
        for (Edge edge : edges) {
            now += edge.change();
            most = Math.max(most, now);
        }
        return most;
    }
}
