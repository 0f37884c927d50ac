package com.ltxgateway.tracking;

import java.util.Optional;

import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.training.Fence;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import org.springframework.stereotype.Component;

/**
 * How a completed fal request ends its training, whoever found it completed (the tracker's poll, fal's webhook,
 * fal's request listing): the result, fetched when the finder could not carry it, applied through
 * {@link TrainingTransitions}.
 */
@Component
public class FalCompletions {

    private final TrainingTransitions transitions;
    private final FalQueue fal;
    private final StepTurns turns;

    FalCompletions(TrainingTransitions transitions, FalQueue fal, StepTurns turns) {
        this.transitions = transitions;
        this.fal = fal;
        this.turns = turns;
    }

    /** Ends the training with fal's result: its output, or the error its run ended with. */
    public void apply(String trainingId, Fence fence, FalResult result) {
        switch (result) {
            case FalResult.Output output -> transitions.completedWithOutput(trainingId, fence, output.output());
            case FalResult.Error error -> transitions.completedWithError(trainingId, fence, FalTranslation.fromFal(error.error()));
        }
    }

    /**
     * Fetches the result at once, as fal drops large results within minutes, and applies it. Returns the fault when it
     * could not be had, for the caller to retry: fal accepted this request, so a refusal is no answer about the run.
     *
     * @param ranWithoutError fal said the run completed without an error (its status, or an {@code OK} webhook): then an
     * error body from the result endpoint is fal failing to give the result (it keeps one for an hour at most), not
     * how the run ended. With a cancel requested it is: fal may not name a canceled run an error
     */
    Optional<FalOutcome.Unavailable<FalResult>> fetch(TrackedTraining training, FalEndpoint endpoint, Fence fence,
            boolean ranWithoutError) {
        return switch (turns.waitingFor(() -> fal.result(endpoint, FalTranslation.toFal(training.falRequest())))) {
            case FalOutcome.Success<FalResult>(FalResult.Error error) when ranWithoutError && !training.cancelRequested() -> Optional.of(new FalOutcome.Unavailable<>(0,
                    "fal reports the run completed but gives no result (" + error.error().code() + ": " + error.error().message() + ")", null));
            case FalOutcome.Success<FalResult> success -> {
                apply(training.id(), fence, success.value());
                yield Optional.empty();
            }
            case FalOutcome.Rejected<FalResult> rejected -> Optional.of(new FalOutcome.Unavailable<>(rejected.httpStatus(),
                    "HTTP " + rejected.httpStatus() + ": fal does not give the result", null));
            case FalOutcome.Unavailable<FalResult> unavailable -> Optional.of(unavailable);
        };
    }
}
