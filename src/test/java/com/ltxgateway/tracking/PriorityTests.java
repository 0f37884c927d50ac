package com.ltxgateway.tracking;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.fal.FakeFalServer.Submission;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A training's priority, from the create to fal's queue. */
class PriorityTests extends GatewayTestSupport {

    @Test
    void aLowTrainingIsSubmittedAsLowAndEveryOtherAsNormal() {
        String key = newTeamKey("live");
        String lowUrl = "https://example.com/priority/" + UUID.randomUUID() + ".zip";
        String normalUrl = "https://example.com/priority/" + UUID.randomUUID() + ".zip";

        JsonNode low = create(key, "{\"input\":{\"training_data_url\":\"" + lowUrl + "\",\"number_of_steps\":100},\"priority\":\"low\"}");
        JsonNode normal = create(key, minimalRequest(normalUrl));

        assertThat(low.get("priority").asString()).isEqualTo("low");
        assertThat(normal.get("priority").asString()).isEqualTo("normal");
        assertThat(submitted(lowUrl).priority()).isEqualTo("low");
        assertThat(submitted(normalUrl).priority()).isEqualTo("normal");
        assertThat(api.get("/v1/trainings/" + low.get("id").asString(), key).json().get("priority").asString()).isEqualTo("low");
    }

    @Test
    void refusesAnUnknownPriorityNamingIt() {
        String key = newTeamKey("live");
        String url = "https://example.com/priority/" + UUID.randomUUID() + ".zip";

        Response refused = api.post("/v1/trainings", key, "{\"input\":{\"training_data_url\":\"" + url + "\"},\"priority\":\"urgent\"}");

        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.json().get("errors").valueStream().map(error -> error.get("field").asString())).containsExactly("priority");
        assertThat(api.get("/v1/trainings", key).json().get("data").isEmpty()).as("nothing stored").isTrue();
    }

    @Test
    void anIdempotencyKeyIsForOnePriority() {
        String key = newTeamKey("sandbox");
        String url = "https://example.com/priority/" + UUID.randomUUID() + ".zip";
        Map<String, String> idempotency = Map.of("Idempotency-Key", UUID.randomUUID().toString());

        assertThat(api.post("/v1/trainings", key, minimalRequest(url), idempotency).status()).isEqualTo(202);
        Response other = api.post("/v1/trainings", key,
                "{\"input\":{\"training_data_url\":\"" + url + "\",\"number_of_steps\":100},\"priority\":\"low\"}", idempotency);

        assertThat(other.status()).as(other.text()).isEqualTo(422);
    }

    private static Submission submitted(String url) {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> FAL.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString())).findFirst().orElse(null),
                submission -> submission != null);
    }
}
