package com.ltxgateway.tracking;

import java.util.Optional;

import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalError;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * How a completed fal request ends its training, whether the tracker's poll found it COMPLETED or fal's webhook
 * reported it: the same outcome means the same state, output and error on either path.
 */
@Component
class FalCompletions {

    private final TrainingTransitions transitions;
    private final FalQueue fal;

    FalCompletions(TrainingTransitions transitions, FalQueue fal) {
        this.transitions = transitions;
        this.fal = fal;
    }

    /**
     * Fetches the result at once, as fal drops large results within minutes, and applies it. Returns fal's fault
     * when it could not be reached, for the caller to retry.
     */
    Optional<FalOutcome.Unavailable<FalResult>> fetch(TrackedTraining training, FalEndpoint endpoint) {
        switch (fal.result(endpoint, training.falRequest())) {
            case FalOutcome.Success<FalResult> success -> apply(training, success.value());
            case FalOutcome.Rejected<FalResult> rejected ->
                transitions.failed(training.id(), rejected.error(), "fal no longer holds the result (HTTP " + rejected.httpStatus() + ")");
            case FalOutcome.Unavailable<FalResult> unavailable -> {
                return Optional.of(unavailable);
            }
        }
        return Optional.empty();
    }

    void apply(TrackedTraining training, FalResult result) {
        switch (result) {
            case FalResult.Output output -> succeed(training.id(), output.output());
            case FalResult.Error error when training.cancelRequested() ->
                transitions.canceled(training.id(), "canceled at fal: " + error.error().message());
            case FalResult.Error error -> transitions.failed(training.id(), error.error(), "the training failed at fal");
        }
    }

    private void succeed(String trainingId, JsonNode output) {
        if (output.path("lora_file").hasNonNull("url") && output.path("config_file").hasNonNull("url")) {
            transitions.succeeded(trainingId, output);
        }
        else {
            transitions.failed(trainingId, new FalError("fal_incomplete_output", "fal completed without a LoRA or config file", output),
                    "fal's output is incomplete");
        }
    }
}
