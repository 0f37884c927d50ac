package com.ltxgateway.fal;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads a status answer token by token, keeping only what {@link FalStatus} needs: the answer's size does not matter.
 * <p>
 * fal repeats every earlier log line on each reading, so a long training's answer grows with each one. Of its
 * {@code logs} array only the lines from {@code logsFrom} on are built, at most {@link FalStatus#MAX_NEW_LOG_LINES};
 * the rest are skipped unread. The one exception: in case fal's list turns out shorter than {@code logsFrom} (its
 * lines are then read from the start), the first lines are kept until the list reaches {@code logsFrom}; never more
 * than {@link FalStatus#MAX_NEW_LOG_LINES} of them. Indexes count every element of fal's array; one that is not an
 * object yields no line but still has its place. An answer without a list ({@code logs} absent or null) leaves the
 * caller where it was. Unknown properties are skipped unread.
 * <p>
 * Every string taken has the key masked: these values reach outcomes, a training's timeline and the logs.
 */
final class FalStatusReader {

    /**
     * What a status answer said.
     *
     * @param status fal's {@code status}, as sent
     * @param error {@code error} as text (objects as JSON), null when absent
     * @param nextLogIndex the index after the last line in {@code logs}
     */
    record Reading(String status, Integer queuePosition, String error, String errorType, List<FalLogLine> logs, int nextLogIndex) {
    }

    private final JsonParser parser;
    private final int logsFrom;
    private final String key;

    private FalStatusReader(JsonParser parser, int logsFrom, String key) {
        this.parser = parser;
        this.logsFrom = logsFrom;
        this.key = key;
    }

    /**
     * Reads one answer; null when it is not a JSON object.
     *
     * @param logsFrom the first line wanted; below 0 for none
     * @throws tools.jackson.core.JacksonException when the answer is not JSON or breaks off
     */
    static Reading read(JsonParser parser, int logsFrom, String key) {
        return new FalStatusReader(parser, logsFrom, key).read();
    }

    private Reading read() {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String status = null;
        Integer queuePosition = null;
        String error = null;
        String errorType = null;
        // No list at all (absent or null) says nothing about fal's lines: the caller keeps its place.
        Logs unlisted = new Logs(List.of(), Math.max(logsFrom, 0));
        Logs logs = unlisted;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "status" -> status = string(value);
                case "queue_position" -> queuePosition = value == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() == JsonParser.NumberType.INT ? parser.getIntValue() : null;
                case "error" -> error = anyText(value);
                case "error_type" -> errorType = string(value);
                case "logs" -> {
                    if (value == JsonToken.START_ARRAY) {
                        logs = logs();
                    }
                    else {
                        parser.skipChildren();
                        logs = unlisted;
                    }
                }
                default -> parser.skipChildren();
            }
        }
        return new Reading(status, queuePosition, error, errorType, logs.lines(), logs.nextIndex());
    }

    private record Logs(List<FalLogLine> lines, int nextIndex) {
    }

    /** The wanted lines of the {@code logs} array the parser stands at the start of. */
    private Logs logs() {
        int max = FalStatus.MAX_NEW_LOG_LINES;
        // The end of the wanted lines, in long: logsFrom may be anything up to Integer.MAX_VALUE.
        long end = (long) logsFrom + max;
        List<FalLogLine> taken = new ArrayList<>();
        // Kept while it is not yet known whether the list reaches logsFrom.
        List<FalLogLine> head = logsFrom > 0 ? new ArrayList<>() : null;
        int headLimit = Math.min(Math.max(logsFrom, 0), max);
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (logsFrom >= 0 && index >= logsFrom && index < end) {
                add(taken, line());
            }
            else if (head != null && index < headLimit) {
                add(head, line());
            }
            else {
                parser.skipChildren();
            }
            index++;
            if (index == logsFrom) {
                head = null;
            }
        }
        if (logsFrom < 0) {
            return new Logs(List.of(), index);
        }
        if (index < logsFrom) {
            // fal's list is shorter than where the caller left off (it started over): read it from its start.
            return new Logs(head, Math.min(index, max));
        }
        return new Logs(taken, (int) Math.min(index, end));
    }

    private static void add(List<FalLogLine> lines, FalLogLine line) {
        if (line != null) {
            lines.add(line);
        }
    }

    /** The log line the parser stands at; null (and skipped) when it is not an object. */
    private FalLogLine line() {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return null;
        }
        String message = null;
        String level = null;
        String source = null;
        String timestamp = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "message" -> message = anyText(value);
                case "level" -> level = string(value);
                case "source" -> source = string(value);
                case "timestamp" -> timestamp = anyText(value);
                default -> parser.skipChildren();
            }
        }
        return new FalLogLine(message, level, source, timestamp);
    }

    /** A string value, or null (the value skipped) when it is anything else. */
    private String string(JsonToken value) {
        if (value == JsonToken.VALUE_STRING) {
            return FalKeyMask.mask(parser.getString(), key);
        }
        parser.skipChildren();
        return null;
    }

    /** Any value as text: strings as they are, numbers and booleans printed, objects and arrays as JSON, null as null. */
    private String anyText(JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isStructStart()) {
            return FalKeyMask.mask(FalAnswers.message(FalBodies.value(parser)), key);
        }
        return FalKeyMask.mask(parser.getString(), key);
    }
}
