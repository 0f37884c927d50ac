package com.ltxgateway.dashboard.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.ltxgateway.access.NewTeam;
import com.ltxgateway.training.TrainingStatus;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * The training list's filters as typed into the form, checked: a value that breaks a rule is named in
 * {@code errors} and left out of the query, so bad input shows a message instead of failing the page.
 */
record TrainingFilter(String status, String team, String text, Map<String, String> errors) {

    static final int MAX_TEXT = 200;

    static TrainingFilter of(String status, String team, String text) {
        Map<String, String> errors = new LinkedHashMap<>();
        String cleanStatus = blankToNull(status);
        if (cleanStatus != null && statusNamed(cleanStatus) == null) {
            errors.put("status", "Choose one of the listed statuses.");
            cleanStatus = null;
        }
        String cleanTeam = blankToNull(team);
        if (cleanTeam != null && !cleanTeam.matches(NewTeam.SLUG_PATTERN)) {
            errors.put("team", "Choose one of the listed teams.");
            cleanTeam = null;
        }
        String cleanText = blankToNull(text);
        if (cleanText != null && cleanText.length() > MAX_TEXT) {
            errors.put("q", "Search for at most " + MAX_TEXT + " characters.");
            cleanText = null;
        }
        else if (cleanText != null && cleanText.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL
                || Character.getType(c) == Character.SURROGATE)) {
            errors.put("q", "Search text must not contain control characters.");
            cleanText = null;
        }
        return new TrainingFilter(cleanStatus, cleanTeam, cleanText, errors);
    }

    TrainingStatus trainingStatus() {
        return status == null ? null : statusNamed(status);
    }

    /** The address of the list, or of its rows, with these filters; {@code cursor} and {@code version} may be null. */
    String url(String path, String cursor, String version) {
        return UriComponentsBuilder.fromPath(path)
                .queryParamIfPresent("status", Optional.ofNullable(status))
                .queryParamIfPresent("team", Optional.ofNullable(team))
                .queryParamIfPresent("q", Optional.ofNullable(text))
                .queryParamIfPresent("cursor", Optional.ofNullable(cursor))
                .queryParamIfPresent("v", Optional.ofNullable(version))
                .encode().build().toUriString();
    }

    private static TrainingStatus statusNamed(String wireName) {
        try {
            return TrainingStatus.fromWireName(wireName);
        }
        catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
