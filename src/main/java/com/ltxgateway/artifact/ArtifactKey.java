package com.ltxgateway.artifact;

import java.util.regex.Pattern;

/**
 * The name of a stored object: segments of lowercase letters, digits, {@code _}, {@code -} and {@code .} joined by
 * {@code /}, none of them {@code .} or {@code ..}. Safe as a relative path under a directory and as an S3 key alike.
 */
public record ArtifactKey(String value) {

    private static final Pattern SEGMENT = Pattern.compile("[a-z0-9_.-]{1,100}");

    public ArtifactKey {
        String[] segments = value.split("/", -1);
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("not an artifact key: " + value);
            }
        }
    }

    /** The key of a training's output file, such as {@code trn_01.../lora_file}. */
    public static ArtifactKey of(String trainingId, String outputName) {
        return new ArtifactKey(trainingId + "/" + outputName);
    }

    @Override
    public String toString() {
        return value;
    }
}
