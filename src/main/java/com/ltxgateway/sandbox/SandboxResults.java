package com.ltxgateway.sandbox;

import java.util.List;
import java.util.Map;

import com.ltxgateway.GatewayProperties;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * What a completed simulated request came to, as fal's result endpoint relays it: the model's status code and body.
 * The result call answers with it and the webhook carries it, so both report the same outcome.
 */
@Component
public class SandboxResults {

    public static final String FAILURE_MESSAGE = "Training data archive holds fewer than 10 video clips (sandbox_outcome=failed)";

    private final GatewayProperties gateway;
    private final JsonMapper json;

    SandboxResults(GatewayProperties gateway, JsonMapper json) {
        this.gateway = gateway;
        this.json = json;
    }

    public record Result(int status, Object body) {

        boolean succeeded() {
            return status == 200;
        }
    }

    public Result of(SimulatedRequest request) {
        if (request.canceledAt() != null) {
            return new Result(400, Map.of("detail", "Request was cancelled"));
        }
        if (request.fail()) {
            return new Result(422, Map.of("detail", List.of(Map.of(
                    "loc", List.of("body", "training_data_url"), "msg", FAILURE_MESSAGE, "type", "value_error"))));
        }
        return new Result(200, SandboxOutputs.outputs(request, json.readTree(request.input()), gateway));
    }
}
