package com.ltxgateway.proxy;

import java.util.List;
import java.util.Objects;

import com.ltxgateway.training.QueueState;
import com.ltxgateway.training.TimelineEntry;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingView;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A training as fal's queue describes a request, so fal's clients read the gateway's answers as fal's: the request id
 * is the training's id, and the URLs are fal's queue URLs, which the clients send back through the proxy.
 */
final class FalShapes {

    private final String app;
    private final JsonMapper json;

    /**
     * @param app the endpoint's owner and app, such as {@code fal-ai/ltx23-trainer-v2}
     * @param json the API's mapper, so files read as the API writes them
     */
    FalShapes(String app, JsonMapper json) {
        this.app = app;
        this.json = json;
    }

    String requestUrl(String requestId) {
        return "https://" + ProxyTarget.QUEUE_HOST + "/" + app + "/requests/" + requestId;
    }

    /** The answer to a submit. */
    ObjectNode submitted(QueueState training) {
        ObjectNode answer = urls(json.createObjectNode().put("status", "IN_QUEUE"), training.id());
        answer.put("queue_position", queuePosition(training));
        return answer;
    }

    /** fal's status of the training: {@code IN_QUEUE}, {@code IN_PROGRESS} or {@code COMPLETED}. */
    static String status(QueueState training) {
        return switch (training.status()) {
            case PENDING, QUEUED -> "IN_QUEUE";
            case RUNNING -> "IN_PROGRESS";
            case SUCCEEDED, FAILED, CANCELED -> "COMPLETED";
        };
    }

    /**
     * The status answer; {@code logs} (fal's log lines as fal's clients read them) only once the training started, as
     * fal sends them.
     */
    ObjectNode status(QueueState training, List<TimelineEntry> logs, boolean withLogs) {
        String status = status(training);
        ObjectNode answer = json.createObjectNode().put("status", status);
        urls(answer, training.id());
        if (status.equals("IN_QUEUE")) {
            answer.put("queue_position", queuePosition(training));
        }
        if (withLogs && !status.equals("IN_QUEUE")) {
            ArrayNode lines = answer.putArray("logs");
            logs.forEach(line -> lines.addObject().put("message", line.message()).put("level", "INFO").put("source", "user")
                    .put("timestamp", line.at().toString()));
        }
        else {
            answer.putNull("logs");
        }
        if (training.status() == TrainingStatus.FAILED || training.status() == TrainingStatus.CANCELED) {
            // fal's clients read a completed request's error from its status too.
            answer.put("error", errorMessage(training));
            answer.put("error_type", errorType(training));
        }
        return answer;
    }

    /** A succeeded training's output, its files' URLs the gateway's kept copies where it holds them. */
    ObjectNode output(TrainingView training) {
        ObjectNode output = json.valueToTree(Objects.requireNonNull(training.output()));
        List<String> absent = output.propertyNames().stream().filter(name -> output.get(name).isNull()).toList();
        output.remove(absent);
        return output;
    }

    static String errorMessage(QueueState training) {
        if (training.status() == TrainingStatus.CANCELED) {
            return "The request was cancelled";
        }
        return training.errorMessage() == null ? "The training failed" : training.errorMessage();
    }

    static String errorType(QueueState training) {
        if (training.status() == TrainingStatus.CANCELED) {
            return "request_cancelled";
        }
        return training.errorCode() == null ? "training_failed" : training.errorCode();
    }

    private ObjectNode urls(ObjectNode answer, String requestId) {
        String url = requestUrl(requestId);
        return answer.put("request_id", requestId).put("response_url", url).put("status_url", url + "/status")
                .put("cancel_url", url + "/cancel");
    }

    private static int queuePosition(QueueState training) {
        return training.queuePosition() == null ? 0 : training.queuePosition();
    }
}
