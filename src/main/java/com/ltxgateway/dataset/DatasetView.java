package com.ltxgateway.dataset;

import java.time.Instant;
import java.util.List;

import com.ltxgateway.dataset.DatasetInspection.Clip;
import com.ltxgateway.dataset.DatasetInspection.Problem;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A dataset as the API shows it.
 *
 * @param status {@code ready} (trainings may use it) or {@code invalid} (see {@code problems})
 * @param clips its video clips with what their containers say
 * @param captions how many captions pair with a clip
 * @param shortestClipFrames the fewest frames of a clip whose frames were counted: a training's
 * {@code number_of_frames} must not exceed it (unless {@code auto_scale_input})
 * @param problems everything that makes it invalid, each with the entry it is about (empty: the zip as a whole)
 */
public record DatasetView(String id, String team, String fileName, long sizeBytes, String sha256,
        @Schema(allowableValues = { "ready", "invalid" }) String status, List<Clip> clips, int captions,
        @Nullable Integer shortestClipFrames, List<Problem> problems, Instant createdAt) {
}
