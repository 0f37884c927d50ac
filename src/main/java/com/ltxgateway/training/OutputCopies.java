package com.ltxgateway.training;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What became of the gateway's copies of trainings' output files: asked for every view of a succeeded training. The
 * feature that keeps the copies implements it; without one, outputs are fal's URLs only.
 */
public interface OutputCopies {

    /**
     * One file's copy.
     *
     * @param stored whether the gateway holds the file; its URL is then the gateway's
     * @param sha256 the stored bytes' SHA-256, hex; null until stored
     * @param state {@code pending}, {@code stored}, {@code lost} (fal's copy was gone first) or {@code refused} (not
     * from an allowed source)
     */
    record Copy(boolean stored, @Nullable String sha256, String state) {
    }

    /** The copies of the given trainings' files, by training id and then output name; trainings without any left out. */
    Map<String, Map<String, Copy>> of(Collection<String> trainingIds);

    /** Those of the given trainings whose copies are pinned: kept past the retention. */
    Set<String> pinned(Collection<String> trainingIds);
}
