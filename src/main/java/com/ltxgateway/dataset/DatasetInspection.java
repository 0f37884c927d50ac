package com.ltxgateway.dataset;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the inspection of a dataset's zip found.
 *
 * @param clips the video clips, in the zip's order
 * @param captions how many captions pair with a clip
 * @param problems everything that would make fal refuse the dataset or fail the training; none when it is ready
 */
public record DatasetInspection(List<Clip> clips, int captions, List<Problem> problems) {

    public String status() {
        return problems.isEmpty() ? "ready" : "invalid";
    }

    /** The fewest frames of a clip whose frames were counted; null when none were. */
    public @Nullable Integer shortestClipFrames() {
        return shortestClipFrames(clips);
    }

    /** The fewest frames of those clips whose frames were counted; null when none were. */
    static @Nullable Integer shortestClipFrames(List<Clip> clips) {
        return clips.stream().map(Clip::frames).filter(frames -> frames != null).min(Integer::compare).orElse(null);
    }

    /**
     * A video clip.
     *
     * @param frames its frame count; null when its container was not read (only MP4 and QuickTime are)
     * @param frameRate frames per second
     * @param caption the start of its caption, when one pairs with it
     * @param framesChecked whether the frame count and size come from the clip's container
     */
    public record Clip(String path, @Nullable Integer frames, @Nullable Double frameRate, @Nullable Integer width,
            @Nullable Integer height, @Nullable String caption, boolean framesChecked) {
    }

    /** @param path the entry the problem is with; empty for the dataset as a whole */
    public record Problem(String path, String message) {
    }
}
