package com.ltxgateway.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.access.Caller;
import com.ltxgateway.net.OutboundUrlPolicy;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a {@code POST /v1/trainings} body against the input contract, {@link NewTraining}, before anything is
 * stored or sent to fal, and applies its defaults, so what is stored is exactly what fal runs. Every violation is
 * named in a single answer.
 */
@Component
class TrainingRequestValidator {

    private static final String WEBHOOK_URL = "webhook_url";
    private static final String DATASET_ID = "dataset_id";
    private static final String TRAINING_DATA_URL = "input.training_data_url";

    private final JsonContract contract;
    private final OutboundUrlPolicy outboundUrls;
    private final OptionalBean<TrainingDatasets> datasets;

    TrainingRequestValidator(JsonContract contract, OutboundUrlPolicy outboundUrls, ObjectProvider<TrainingDatasets> datasets) {
        this.contract = contract;
        this.outboundUrls = outboundUrls;
        this.datasets = new OptionalBean<>(datasets);
    }

    /**
     * Returns the request ready to store and forward (but for the URL of a dataset it names), or throws naming every
     * violation in {@code body}.
     */
    TrainingRequest validate(JsonNode body, Caller caller) {
        JsonContract.Reading<NewTraining> read = contract.read(NewTraining.class, body);
        List<FieldViolation> violations = new ArrayList<>(read.violations());
        NewTraining training = read.value();
        // The gateway itself will call it, so it must not lead into the company's own network.
        if (training != null && training.webhookUrl() != null
                && violations.stream().noneMatch(violation -> violation.field().equals(WEBHOOK_URL))) {
            outboundUrls.refusal(training.webhookUrl())
                    .ifPresent(refusal -> violations.add(new FieldViolation(WEBHOOK_URL, refusal)));
        }
        if (training != null && training.input() != null) {
            boolean named = training.input().trainingDataUrl() != null
                    || violations.stream().anyMatch(violation -> violation.field().equals(TRAINING_DATA_URL));
            if (training.datasetId() == null && !named) {
                violations.add(new FieldViolation(TRAINING_DATA_URL, "is required unless the training names a dataset_id"));
            }
            if (training.datasetId() != null && named) {
                violations.add(new FieldViolation(DATASET_ID, "give either dataset_id or input.training_data_url, not both"));
            }
        }
        if (!violations.isEmpty()) {
            throw new TrainingRequestInvalid(violations);
        }
        ObjectNode input = contract.toJson(training.input());
        String datasetId = training.datasetId() != null ? training.datasetId() : datasetNamedBy(training.input().trainingDataUrl());
        if (datasetId != null) {
            input.remove("training_data_url");
            datasetProblems(caller, datasetId, input).forEach(problem -> violations.add(new FieldViolation(DATASET_ID, problem)));
            if (!violations.isEmpty()) {
                throw new TrainingRequestInvalid(violations);
            }
        }
        Map<String, String> metadata = training.metadata() == null ? Map.of() : training.metadata();
        return new TrainingRequest(input, training.input().numberOfSteps(), training.webhookUrl(), Collections.unmodifiableMap(metadata),
                training.priority() == null ? TrainingPriority.NORMAL : training.priority(), datasetId);
    }

    /** The dataset a training data URL of the gateway's own names; null for any other URL. */
    private String datasetNamedBy(String trainingDataUrl) {
        TrainingDatasets available = datasets.get().orElse(null);
        return available == null || trainingDataUrl == null ? null : available.datasetOf(trainingDataUrl).orElse(null);
    }

    /** The dataset's fitness for this input, with every default applied (number_of_frames, auto_scale_input). */
    private List<String> datasetProblems(Caller caller, String datasetId, ObjectNode input) {
        TrainingDatasets available = datasets.get().orElse(null);
        if (available == null) {
            return List.of("datasets are not available on this gateway");
        }
        return available.problems(caller, datasetId, input.path("number_of_frames").asInt(),
                input.path("auto_scale_input").asBoolean(false));
    }
}
