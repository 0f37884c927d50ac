package com.ltxgateway.training;

import java.util.List;

/** One page of the training list, newest first; {@code nextCursor} continues after its last training, or is null. */
public record TrainingPage(List<TrainingView> data, String nextCursor) {
}
