package com.ltxgateway.tracking;

import java.util.List;

import com.ltxgateway.fal.FalQueuePriority;
import com.ltxgateway.fal.FalError;
import com.ltxgateway.fal.FalLogLine;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.training.TrainingPriority;
import com.ltxgateway.training.FalRequest;
import com.ltxgateway.training.LogLine;
import com.ltxgateway.training.TrainingError;

/** fal's terms and the training's: tracking talks to both, so it translates between them. */
final class FalTranslation {

    private FalTranslation() {
    }

    static FalRequestRef toFal(FalRequest request) {
        return new FalRequestRef(request.requestId(), request.statusUrl(), request.responseUrl(), request.cancelUrl());
    }

    static FalQueuePriority toFal(TrainingPriority priority) {
        return switch (priority) {
            case NORMAL -> FalQueuePriority.NORMAL;
            case LOW -> FalQueuePriority.LOW;
        };
    }

    static FalRequest fromFal(FalRequestRef ref) {
        return new FalRequest(ref.requestId(), ref.statusUrl(), ref.responseUrl(), ref.cancelUrl());
    }

    static TrainingError fromFal(FalError error) {
        return new TrainingError(error.code(), error.message(), error.details());
    }

    static List<LogLine> fromFal(List<FalLogLine> lines) {
        return lines.stream().map(line -> new LogLine(line.message(), line.timestamp())).toList();
    }
}
