package com.ltxgateway.fal;

import java.util.List;

/**
 * One status reading.
 *
 * @param state IN_QUEUE, IN_PROGRESS or COMPLETED
 * @param queuePosition only while IN_QUEUE
 * @param logs the log lines from the index the caller asked for (fal repeats every earlier line on each reading)
 * @param nextLogIndex the index in fal's list after the last line in {@code logs}: where the next reading goes on
 * @param error set when a COMPLETED request ended in an error that the status already names
 */
public record FalStatus(State state, Integer queuePosition, List<FalLogLine> logs, int nextLogIndex, FalError error) {

    /** At most this many new lines are taken from one reading; the rest come with the next. */
    public static final int MAX_NEW_LOG_LINES = 1000;

    public enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    public FalStatus {
        logs = logs == null ? List.of() : List.copyOf(logs);
    }
}
