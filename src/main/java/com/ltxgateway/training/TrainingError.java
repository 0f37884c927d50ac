package com.ltxgateway.training;

import tools.jackson.databind.JsonNode;

/**
 * Why a training failed, as its {@code error} shows it.
 *
 * @param code fal's error type (e.g. {@code request_timeout}) or a gateway code such as {@code fal_validation_error}
 * @param message human-readable summary
 * @param details fal's own error body ({@code detail} array or string), or null
 */
public record TrainingError(String code, String message, JsonNode details) {
}
