package com.ltxgateway.fal;

import java.util.List;

/**
 * One status reading.
 *
 * @param state IN_QUEUE, IN_PROGRESS or COMPLETED
 * @param queuePosition only while IN_QUEUE
 * @param logs every log line fal reports so far (fal repeats earlier lines on each reading)
 * @param error set when a COMPLETED request ended in an error that the status already names
 */
public record FalStatus(State state, Integer queuePosition, List<FalLogLine> logs, FalError error) {

    public enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    public FalStatus {
        logs = logs == null ? List.of() : List.copyOf(logs);
    }
}
