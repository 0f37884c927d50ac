package com.ltxgateway.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.net.OutboundUrlPolicy;

import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Checks a {@code POST /v1/trainings} body against the input contract, {@link NewTraining}, before anything is
 * stored or sent to fal, and applies its defaults, so what is stored is exactly what fal runs. Every violation is
 * named in a single answer.
 */
@Component
class TrainingRequestValidator {

    private static final String WEBHOOK_URL = "webhook_url";

    private final JsonContract contract;
    private final OutboundUrlPolicy outboundUrls;

    TrainingRequestValidator(JsonContract contract, OutboundUrlPolicy outboundUrls) {
        this.contract = contract;
        this.outboundUrls = outboundUrls;
    }

    /** Returns the request ready to store and forward, or throws naming every violation in {@code body}. */
    TrainingRequest validate(JsonNode body) {
        JsonContract.Reading<NewTraining> read = contract.read(NewTraining.class, body);
        List<FieldViolation> violations = new ArrayList<>(read.violations());
        NewTraining training = read.value();
        // The gateway itself will call it, so it must not lead into the company's own network.
        if (training != null && training.webhookUrl() != null
                && violations.stream().noneMatch(violation -> violation.field().equals(WEBHOOK_URL))) {
            outboundUrls.refusal(training.webhookUrl())
                    .ifPresent(refusal -> violations.add(new FieldViolation(WEBHOOK_URL, refusal)));
        }
        if (!violations.isEmpty()) {
            throw new TrainingRequestInvalid(violations);
        }
        Map<String, String> metadata = training.metadata() == null ? Map.of() : training.metadata();
        return new TrainingRequest(contract.toJson(training.input()), training.input().numberOfSteps(),
                training.webhookUrl(), Collections.unmodifiableMap(metadata),
                training.priority() == null ? TrainingPriority.NORMAL : training.priority());
    }
}
