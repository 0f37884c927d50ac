package com.ltxgateway.training;

import static com.ltxgateway.training.TrainingValidationApiTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.ApiOnlyTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Canceling a training that was never submitted ends it at once, without fal. The instance has no tracker, so
 * the training is reliably still unsubmitted when the cancel arrives.
 */
class PendingCancelApiTests extends ApiOnlyTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void cancelsAPendingTrainingAtOnceAndLeavesNoWorkForFal() {
        Api.TeamKey team = newTeam("sandbox");
        String id = create(team.key(), requestWithMetadata("{}")).get("id").asString();
        assertThat(trackingJobs(id)).as("a new training has its tracking job").isOne();

        Response cancel = api.post("/v1/trainings/" + id + "/cancel", team.key(), null);

        assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);
        JsonNode canceled = cancel.json();
        assertThat(canceled.get("id").asString()).isEqualTo(id);
        assertThat(canceled.get("status").asString()).isEqualTo("canceled");
        assertThat(canceled.get("fal_request_id").isNull()).isTrue();
        assertThat(canceled.get("submitted_at").isNull()).isTrue();
        assertThat(Instant.parse(canceled.get("finished_at").asString()))
                .isAfterOrEqualTo(Instant.parse(canceled.get("created_at").asString()));

        JsonNode stored = api.get("/v1/trainings/" + id, team.key()).json();
        assertThat(stored.get("status").asString()).isEqualTo("canceled");
        assertThat(stored.get("fal_request_id").isNull()).isTrue();
        assertThat(trackingJobs(id)).as("tracking jobs left for a canceled training").isZero();

        JsonNode events = api.get("/v1/trainings/" + id + "/events", team.key()).json().get("data");
        assertThat(events.valueStream().filter(e -> e.get("type").asString().equals("state_changed"))
                .map(e -> e.get("status").asString())).containsExactly("pending", "canceled");
        JsonNode cancelEvent = events.valueStream().filter(e -> "canceled".equals(e.path("status").asString()))
                .findFirst().orElseThrow();
        assertThat(cancelEvent.get("message").asString()).contains("canceled by").contains("before submission");
        assertThat(cancelEvent.get("at").asString()).isNotBlank();
    }

    @Test
    void refusesToCancelAFinishedTraining() {
        Api.TeamKey team = newTeam("sandbox");
        String id = create(team.key(), requestWithMetadata("{}")).get("id").asString();
        assertThat(api.post("/v1/trainings/" + id + "/cancel", team.key(), null).status()).isEqualTo(202);

        Response again = api.post("/v1/trainings/" + id + "/cancel", team.key(), null);

        JsonNode problem = assertProblem(again, 409);
        assertThat(problem.get("detail").asString()).contains("canceled");
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("status").asString()).isEqualTo("canceled");
    }

    @Test
    void anAdminCanCancelATeamsTraining() {
        Api.TeamKey team = newTeam("sandbox");
        String id = create(team.key(), requestWithMetadata("{}")).get("id").asString();

        Response cancel = api.post("/v1/trainings/" + id + "/cancel", ADMIN_KEY, null);

        assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);
        assertThat(cancel.json().get("status").asString()).isEqualTo("canceled");
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("status").asString()).isEqualTo("canceled");
    }

    @Test
    void answersCancelOfAnUnknownTrainingWith404() {
        Api.TeamKey team = newTeam("sandbox");

        assertProblem(api.post("/v1/trainings/trn_unknown/cancel", team.key(), null), 404);
    }

    private int trackingJobs(String trainingId) {
        return jdbc.sql("select count(*) from tracking_job where training_id = ?").param(trainingId).query(Integer.class).single();
    }
}
