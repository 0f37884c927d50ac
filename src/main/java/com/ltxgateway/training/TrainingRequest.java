package com.ltxgateway.training;

import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/trainings} body.
 *
 * @param input fal's input with every default applied, forwarded as is
 * @param numberOfSteps taken from {@code input}, as the price depends on it
 * @param webhookUrl where the team wants to hear about the training, or null
 * @param metadata the team's labels in the order given; empty when none
 * @param datasetId the uploaded dataset it trains on, whose URL {@code input} gets before it is stored; null when
 * {@code input} names its zip
 */
record TrainingRequest(ObjectNode input, int numberOfSteps, String webhookUrl, Map<String, String> metadata,
        TrainingPriority priority, String datasetId) {
}
