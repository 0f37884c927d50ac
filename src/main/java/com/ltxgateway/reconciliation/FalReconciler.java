package com.ltxgateway.reconciliation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.fal.FalBillingEvent;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalPage;
import com.ltxgateway.fal.FalPlatform;
import com.ltxgateway.fal.FalRequestRecord;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.reconciliation.FalOrphans.Adopted;
import com.ltxgateway.tracking.FalCompletions;
import com.ltxgateway.training.Fence;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.OpenSubmit;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Compares the gateway's trainings with what fal itself knows, through fal's Platform API:
 * <ul>
 * <li>a listed request whose input equals an unconfirmed submit's forwarded input, sent within that submit's time
 * window, is that submit: the training adopts it (each request at most one training, oldest attempt first) and, if it
 * has ended, ends with its outcome;</li>
 * <li>a listed request no training owns, and that no submit under way can explain, is an orphan: recorded, and
 * canceled while it may still run;</li>
 * <li>fal's billing events give each training its {@code cost_usd}, and orphans what they cost.</li>
 * </ul>
 * Each run reads from where the previous one ended, reaching back {@code overlap} for requests fal lists late, and
 * also reads the time window of every open submit, whatever the listing's time filter applies to (fal does not say
 * whether it is the time a request was sent or ended). fal documents listing only requests that have ended, so an
 * unconfirmed submit whose request still runs is adopted when it ends; its absence is never taken as evidence.
 */
@Component
class FalReconciler {

    static final String TASK = "fal-reconciliation";
    private static final Logger log = LoggerFactory.getLogger(FalReconciler.class);

    private final FalPlatform platform;
    private final TrainingTransitions transitions;
    private final FalCompletions completions;
    private final FalOrphans orphans;
    private final BillingComparison billing;
    private final ReconciliationProperties properties;
    private final JsonMapper json;
    private final Clock clock;

    FalReconciler(FalPlatform platform, TrainingTransitions transitions, FalCompletions completions, FalOrphans orphans,
            BillingComparison billing, ReconciliationProperties properties, JsonMapper json, Clock clock) {
        this.billing = billing;
        this.platform = platform;
        this.transitions = transitions;
        this.completions = completions;
        this.orphans = orphans;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    /** How far the readings got: each reading ends at the instant its run began. */
    record Progress(Instant requestsUntil, Instant billingUntil) {
    }

    /** A run's outcome: the progress to keep, and the fault that cut it short, if any. */
    record Run(Progress progress, String fault) {
    }

    Run run(Progress previous) {
        Instant now = clock.instant();
        Instant requestsUntil = previous.requestsUntil();
        Instant billingUntil = previous.billingUntil();
        try {
            readRequests(from(previous.requestsUntil(), now), now);
            requestsUntil = now;
            readBilling(from(previous.billingUntil(), now), now);
            billingUntil = now;
            for (Adopted adopted : orphans.forgetAdopted()) {
                if (adopted.billedUsd() != null) {
                    transitions.billed(adopted.requestId(), adopted.billedUsd());
                }
            }
            return new Run(new Progress(requestsUntil, billingUntil), null);
        }
        catch (PlatformUnavailable e) {
            return new Run(new Progress(requestsUntil, billingUntil), e.getMessage());
        }
    }

    private Instant from(Instant until, Instant now) {
        return until == null ? now.minus(properties.initialLookback()) : until.minus(properties.overlap());
    }

    private void readRequests(Instant from, Instant now) {
        List<OpenSubmit> open = new ArrayList<>(transitions.openSubmits());
        List<Window> windows = new ArrayList<>();
        windows.add(new Window(from, now));
        for (OpenSubmit submit : open) {
            windows.add(new Window(submit.attemptedAt().minus(properties.matchMargin()),
                    (submit.unconfirmedAt() == null ? now : submit.unconfirmedAt().plus(properties.matchMargin()))));
        }
        for (Window window : Window.merged(windows)) {
            String cursor = null;
            do {
                FalPage<FalRequestRecord> page = page(platform.requests(window.start(), window.end(), cursor), "request listing");
                for (FalRequestRecord request : page.items()) {
                    consider(request, open, now);
                }
                cursor = page.nextCursor();
            }
            while (cursor != null);
        }
    }

    private void consider(FalRequestRecord request, List<OpenSubmit> open, Instant now) {
        Optional<TrackedTraining> owner = transitions.following(request.requestId());
        if (owner.isPresent()) {
            settleFinished(owner.get(), request, now);
            return;
        }
        Optional<OpenSubmit> submit = open.stream()
                .filter(candidate -> sentWithin(request, candidate, now) && sameInput(request.input(), candidate.input()))
                .min(Comparator.comparing(OpenSubmit::attemptedAt));
        if (submit.isPresent()) {
            // A submit still in flight is about to name its request itself.
            if (submit.get().unconfirmedAt() != null) {
                open.remove(submit.get());
                adopt(submit.get(), request);
            }
            return;
        }
        if (request.sentAt() != null && request.sentAt().isAfter(now.minus(properties.orphanGrace()))) {
            return;
        }
        boolean cancel = properties.cancelOrphans() && !request.ended();
        orphans.recordListed(request, cancel);
        if (cancel) {
            log.warn("fal request {} (sent at {}) belongs to no training; canceling it", request.requestId(), request.sentAt());
        }
    }

    private void adopt(OpenSubmit submit, FalRequestRecord request) {
        if (!transitions.adoptListed(submit.trainingId(), request.requestId(), request.sentAt())) {
            return;
        }
        log.info("Training {} adopted fal request {} from fal's request listing", submit.trainingId(), request.requestId());
        FalResult result = request.result();
        if (result != null) {
            completions.apply(submit.trainingId(), Fence.NONE, result);
        }
    }

    /**
     * A request fal lists as ended while its training still waits: normally the tracker's next poll ends it, but when
     * fal's queue no longer holds the result (it keeps one for an hour at most), the listing's payload is the outcome.
     */
    private void settleFinished(TrackedTraining training, FalRequestRecord request, Instant now) {
        FalResult result = request.result();
        if (training.status().isTerminal() || result == null || request.endedAt().isAfter(now.minus(properties.orphanGrace()))) {
            return;
        }
        log.info("Training {} ends with the outcome fal's request listing shows for request {}", training.id(), request.requestId());
        completions.apply(training.id(), Fence.NONE, result);
    }

    private boolean sentWithin(FalRequestRecord request, OpenSubmit submit, Instant now) {
        if (request.sentAt() == null) {
            return false;
        }
        Instant start = submit.attemptedAt().minus(properties.matchMargin());
        Instant end = submit.unconfirmedAt() == null ? now : submit.unconfirmedAt().plus(properties.matchMargin());
        return !request.sentAt().isBefore(start) && !request.sentAt().isAfter(end);
    }

    /** Equal as JSON values: numbers by value (fal may write 1000 as 1000.0), everything else exactly. */
    private static boolean sameInput(JsonNode listed, JsonNode forwarded) {
        return listed != null && listed.equals(NUMBERS_BY_VALUE, forwarded);
    }

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private void readBilling(Instant from, Instant now) {
        String cursor = null;
        do {
            FalPage<FalBillingEvent> page = page(platform.billingEvents(from, now, cursor), "billing events");
            for (FalBillingEvent event : page.items()) {
                billing.record(event, now);
                if (!transitions.billed(event.requestId(), event.costUsd())) {
                    orphans.recordBilled(event.requestId(), event.costUsd(), event.timestamp());
                }
            }
            cursor = page.nextCursor();
        }
        while (cursor != null);
    }

    private <T> FalPage<T> page(FalOutcome<FalPage<T>> outcome, String what) {
        return switch (outcome) {
            case FalOutcome.Success<FalPage<T>> success -> success.value();
            case FalOutcome.Rejected<FalPage<T>> rejected ->
                throw new PlatformUnavailable("fal refused to give its " + what + " (HTTP " + rejected.httpStatus() + ")");
            case FalOutcome.Unavailable<FalPage<T>> unavailable -> {
                if (unavailable.keyRefused()) {
                    log.error("fal refused the admin key for its {} ({}); check GATEWAY_FAL_ADMIN_KEY", what, unavailable.reason());
                }
                throw new PlatformUnavailable("fal's " + what + " unavailable: " + unavailable.reason());
            }
        };
    }

    /** Reads the progress a run left; empty state before the first. */
    Progress progress(JsonNode state) {
        return new Progress(instant(state.get("requests_until")), instant(state.get("billing_until")));
    }

    JsonNode state(Progress progress) {
        ObjectNode state = json.createObjectNode();
        state.put("requests_until", progress.requestsUntil() == null ? null : progress.requestsUntil().toString());
        state.put("billing_until", progress.billingUntil() == null ? null : progress.billingUntil().toString());
        return state;
    }

    private static Instant instant(JsonNode node) {
        return node == null || !node.isString() ? null : Instant.parse(node.stringValue());
    }

    private record Window(Instant start, Instant end) {

        /** Overlapping windows read as one, so no request is read twice in a run. */
        static List<Window> merged(List<Window> windows) {
            List<Window> sorted = windows.stream().sorted(Comparator.comparing(Window::start)).toList();
            List<Window> merged = new ArrayList<>();
            for (Window window : sorted) {
                Window last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && !window.start().isAfter(last.end())) {
                    merged.set(merged.size() - 1, new Window(last.start(), window.end().isAfter(last.end()) ? window.end() : last.end()));
                }
                else {
                    merged.add(window);
                }
            }
            return merged;
        }
    }

    private static final class PlatformUnavailable extends RuntimeException {

        PlatformUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    Duration interval() {
        return properties.interval();
    }
}
