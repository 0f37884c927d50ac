package com.ltxgateway.proxy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ai.fal.client.ClientConfig;
import ai.fal.client.CredentialsResolver;
import ai.fal.client.FalClient;
import ai.fal.client.Output;
import ai.fal.client.SubscribeOptions;
import ai.fal.client.queue.QueueStatus;
import com.google.gson.JsonObject;
import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** fal's Java client (Maven Central's {@code ai.fal.client:fal-client}) with its proxy interceptor aimed at the gateway. */
class FalJavaClientTests extends GatewayTestSupport {

    @Test
    void subscribeThroughTheProxyIsATrainingOfTheTeam() {
        String key = newTeamKey("sandbox");
        FalClient fal = FalClient.withConfig(ClientConfig.builder()
                .withCredentials(CredentialsResolver.fromApiKey(key))
                .withProxyUrl("http://127.0.0.1:" + port + "/api/fal/proxy")
                .build());
        List<String> updates = new CopyOnWriteArrayList<>();

        Output<JsonObject> output = fal.subscribe("fal-ai/ltx23-trainer-v2/interpolate", SubscribeOptions.<JsonObject>builder()
                .input(Map.of("training_data_url", "https://example.com/java-client.zip", "number_of_steps", 100))
                .logs(true)
                .resultType(JsonObject.class)
                .onQueueUpdate(update -> updates.add(update.getClass().getSimpleName()))
                .build());

        assertThat(output.getRequestId()).startsWith("trn_");
        assertThat(output.getData().getAsJsonObject("lora_file").get("file_name").getAsString()).isNotEmpty();
        assertThat(updates).contains(QueueStatus.Completed.class.getSimpleName());
        assertThat(api.get("/v1/trainings/" + output.getRequestId(), key).json().get("status").asString()).isEqualTo("succeeded");
    }
}
