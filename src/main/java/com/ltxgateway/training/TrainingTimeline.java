package com.ltxgateway.training;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What is noted about a training besides its state changes, which are {@link TrainingTransitions}'s: fal's log
 * lines, fal's faults while they are retried, a submit whose answer is lost, the webhook deliveries to its team. None
 * changes the training's status or publishes anything; each that touches the training locks its row like a
 * transition, so notes and changes of one training never interleave.
 */
@Service
public class TrainingTimeline {

    private final LockedTrainings trainings;
    private final TimelineEntries entries;
    private final Clock clock;

    TrainingTimeline(LockedTrainings trainings, TimelineEntries entries, Clock clock) {
        this.trainings = trainings;
        this.entries = entries;
        this.clock = clock;
    }

    /**
     * fal's log lines from index {@code from}, stored in one batch (lines already stored are not stored again), and
     * that the next reading goes on from {@code nextIndex}.
     */
    @Transactional
    public void logs(String id, int from, List<LogLine> lines, int nextIndex) {
        Training training = trainings.lock(id, Fence.NONE);
        if (!lines.isEmpty()) {
            entries.appendLogs(id, now(), from, lines);
        }
        training.logsStoredUpTo(nextIndex);
    }

    /**
     * A fal fault that is being retried: shown on the timeline, and from its first occurrence as the training's
     * {@code fal_unreachable_since}; the training's state is unchanged.
     */
    @Transactional
    public void falUnavailable(String id, Fence fence, String message) {
        Training training = trainings.lock(id, fence);
        Instant now = now();
        training.falUnreachable(now);
        entries.append(id, TimelineEntries.FAL_UNAVAILABLE, now, null, message);
    }

    /** fal answered again after faults. */
    @Transactional
    public void falReachable(String id) {
        trainings.lock(id, Fence.NONE).falReachable();
    }

    /**
     * Submit attempt {@code attempt} may have reached fal, but its answer is lost: the training stays pending, shows
     * why, and is never submitted again until evidence settles it (see {@link TrainingTransitions}). Returns what the
     * timeline now says of it, or nothing when this call did not make it unconfirmed (it already was, or another
     * attempt is the training's now).
     */
    @Transactional
    public Optional<String> submitUnconfirmed(String id, int attempt, Fence fence, String reason) {
        Training training = trainings.lock(id, fence);
        Instant now = now();
        if (!training.submitUnconfirmed(attempt, now)) {
            return Optional.empty();
        }
        String message = reason + "; fal may hold the request, so the training is not submitted again until a fal webhook"
                + " or fal's request listing names it, or an admin decides to resubmit it";
        entries.append(id, TimelineEntries.SUBMIT_UNCONFIRMED, now, null, message);
        return Optional.of(message);
    }

    /**
     * An attempt to tell a team's receiver about this training: shown on the timeline with the delivery's status
     * ({@code delivered}, {@code pending} while retried, {@code failed}); the training's state is unchanged.
     */
    @Transactional
    public void webhookDelivery(String id, String deliveryStatus, String message) {
        entries.append(id, TimelineEntries.WEBHOOK_DELIVERY, now(), deliveryStatus, message);
    }

    /** PostgreSQL keeps microseconds: what is noted must equal what is read back later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
