package com.ltxgateway.training;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** A training exactly as {@code GET /v1/trainings/{id}} shows it, for features that pass it on (webhooks). */
@Service
public class TrainingRepresentations {

    private final LockedTrainings locked;
    private final TrainingRows trainings;
    private final TrainingService service;
    private final JsonMapper json;

    TrainingRepresentations(LockedTrainings locked, TrainingRows trainings, TrainingService service, JsonMapper json) {
        this.locked = locked;
        this.trainings = trainings;
        this.service = service;
        this.json = json;
    }

    /**
     * Joins the caller's transaction, so that inside a status change the representation is the one being
     * committed, not the last one committed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public JsonNode of(String trainingId) {
        locked.flush();
        Training training = trainings.find(trainingId).orElseThrow(() -> new TrainingNotFound(trainingId));
        return json.valueToTree(service.view(training));
    }
}
