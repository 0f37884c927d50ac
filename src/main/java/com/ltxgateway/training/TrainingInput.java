package com.ltxgateway.training;

import static java.util.Objects.requireNonNullElse;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonValue;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.GroupSequence;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.CodePointLength;

/**
 * fal's input for {@code fal-ai/ltx23-trainer-v2/interpolate}, as the seed's input schema defines it: the contract
 * that {@link JsonContract} checks bodies against and the OpenAPI document shows. Read with every default applied
 * (the compact constructor), and forwarded to fal as written, in the seed's order, which is fal's.
 */
@Schema(description = "fal's input for fal-ai/ltx23-trainer-v2/interpolate. Unknown fields and nulls are refused; "
        + "what is left out gets its default, and answers show the input as forwarded, with every default.")
@GroupSequence({ TrainingInput.class, JsonContract.Afterwards.class })
@MiddleKeyframes(groups = JsonContract.AcrossFields.class)
public record TrainingInput(

        @Schema(description = "URL to a .zip archive of the training data: video clips, each with an optional .txt "
                + "caption of the same base name. Required unless the training names a dataset_id.")
        @HttpUrl
        String trainingDataUrl,

        @Schema(description = "The rank of the LoRA adaptation. Higher values increase capacity but use more memory. "
                + "The numeral as a string (\"32\") is accepted too.")
        Rank rank,

        @Schema(description = "The number of training steps; the price is per step.")
        @Between(min = "100", max = "20000")
        Integer numberOfSteps,

        @Schema(description = "Learning rate for optimization.")
        @Between(min = "0.000001", max = "1")
        Number learningRate,

        @Schema(description = "Number of frames per training sample; must satisfy number_of_frames % 8 == 1 "
                + "(9, 17, 25, ... 121).")
        @Between(min = "9", max = "121") @FrameCount(groups = JsonContract.Afterwards.class)
        Integer numberOfFrames,

        @Schema(description = "Target frames per second for the training video (LTX-2.3 native is 24).")
        @Between(min = "8", max = "60")
        Integer frameRate,

        @Schema(description = "Resolution to use for training. Higher resolutions require more memory.")
        Resolution resolution,

        @Schema(description = "Aspect ratio to use for training.")
        AspectRatio aspectRatio,

        @Schema(description = "A phrase that will trigger the LoRA style; prepended to captions during training.")
        @CodePointLength(max = 1000, message = "must be at most {max} characters")
        String triggerPhrase,

        @Schema(description = "Scale videos automatically to the target frame count and fps; no effect on image "
                + "datasets.")
        Boolean autoScaleInput,

        @Schema(description = "Split videos above split_input_duration_threshold into scenes.")
        Boolean splitInputIntoScenes,

        @Schema(description = "The duration threshold in seconds above which a video is split into scenes.")
        @Between(min = "1", max = "60")
        Number splitInputDurationThreshold,

        @Schema(description = "Also return an archive of the preprocessed training data, to check how the videos, "
                + "images and captions were processed.")
        Boolean debugDataset,

        @Schema(description = "Validation inputs, each with a prompt and keyframe images.")
        @Size(max = 20, message = "must have at most {max} items")
        List<ValidationSample> validation,

        @Schema(description = "A negative prompt to use for validation.")
        @CodePointLength(max = 4000, message = "must be at most {max} characters")
        String validationNegativePrompt,

        @Schema(description = "The number of frames in validation videos.")
        @Between(min = "9", max = "121")
        Integer validationNumberOfFrames,

        @Schema(description = "Target frames per second for validation videos (LTX-2.3 native is 24).")
        @Between(min = "8", max = "60")
        Integer validationFrameRate,

        @Schema(description = "The resolution to use for validation.")
        Resolution validationResolution,

        @Schema(description = "The aspect ratio to use for validation.")
        AspectRatio validationAspectRatio,

        @Schema(description = "STG (Spatio-Temporal Guidance) scale; 0 disables STG, 1 is recommended.")
        @Between(min = "0", max = "3")
        Number stgScale,

        @Schema(description = "Also keep a middle keyframe (first + middle + last -> video) instead of just first + "
                + "last. When true, every validation sample must have a middle_image_url.")
        Boolean includeMiddleKeyframe) {

    private static final String DEFAULT_NEGATIVE_PROMPT = "blurry, out of focus, overexposed, underexposed, "
            + "low contrast, washed out colors, excessive noise, grainy texture, poor lighting, flickering, "
            + "motion blur, distorted proportions, unnatural skin tones, deformed facial features, asymmetrical face, "
            + "missing facial features, extra limbs, disfigured hands, wrong hand count, artifacts around text, "
            + "inconsistent perspective, camera shake, incorrect depth of field, background too sharp, "
            + "background clutter, distracting reflections, harsh shadows, inconsistent lighting direction, "
            + "color banding, cartoonish rendering, 3D CGI look, unrealistic materials, uncanny valley effect, "
            + "incorrect ethnicity, wrong gender, exaggerated expressions, wrong gaze direction, mismatched lip sync, "
            + "silent or muted audio, distorted voice, robotic voice, echo, background noise, off-sync audio, "
            + "incorrect dialogue, added dialogue, repetitive speech, jittery movement, awkward pauses, "
            + "incorrect timing, unnatural transitions, inconsistent framing, tilted camera, flat lighting, "
            + "inconsistent tone, cinematic oversaturation, stylized filters, or AI artifacts.";

    /** The seed's defaults; the OpenAPI document shows these same values. */
    public TrainingInput {
        rank = requireNonNullElse(rank, Rank.R32);
        numberOfSteps = requireNonNullElse(numberOfSteps, 2000);
        learningRate = requireNonNullElse(learningRate, 0.0002);
        numberOfFrames = requireNonNullElse(numberOfFrames, 89);
        frameRate = requireNonNullElse(frameRate, 24);
        resolution = requireNonNullElse(resolution, Resolution.MEDIUM);
        aspectRatio = requireNonNullElse(aspectRatio, AspectRatio.SQUARE);
        triggerPhrase = requireNonNullElse(triggerPhrase, "");
        autoScaleInput = requireNonNullElse(autoScaleInput, false);
        splitInputIntoScenes = requireNonNullElse(splitInputIntoScenes, true);
        splitInputDurationThreshold = requireNonNullElse(splitInputDurationThreshold, 30);
        debugDataset = requireNonNullElse(debugDataset, false);
        validation = requireNonNullElse(validation, List.of());
        validationNegativePrompt = requireNonNullElse(validationNegativePrompt, DEFAULT_NEGATIVE_PROMPT);
        validationNumberOfFrames = requireNonNullElse(validationNumberOfFrames, 89);
        validationFrameRate = requireNonNullElse(validationFrameRate, 24);
        validationResolution = requireNonNullElse(validationResolution, Resolution.HIGH);
        validationAspectRatio = requireNonNullElse(validationAspectRatio, AspectRatio.SQUARE);
        stgScale = requireNonNullElse(stgScale, 1);
        includeMiddleKeyframe = requireNonNullElse(includeMiddleKeyframe, false);
    }

    enum Rank {
        R8(8), R16(16), R32(32), R64(64), R128(128);

        private final int rank;

        Rank(int rank) {
            this.rank = rank;
        }

        @JsonValue
        int rank() {
            return rank;
        }
    }

    enum Resolution {
        LOW("low"), MEDIUM("medium"), HIGH("high");

        private final String name;

        Resolution(String name) {
            this.name = name;
        }

        @JsonValue
        String wireName() {
            return name;
        }
    }

    enum AspectRatio {
        LANDSCAPE("16:9"), SQUARE("1:1"), PORTRAIT("9:16");

        private final String ratio;

        AspectRatio(String ratio) {
            this.ratio = ratio;
        }

        @JsonValue
        String ratio() {
            return ratio;
        }
    }
}
