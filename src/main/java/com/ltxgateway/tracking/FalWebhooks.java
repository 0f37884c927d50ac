package com.ltxgateway.tracking;

import java.util.function.Function;

import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalWebhook;
import com.ltxgateway.fal.FalWebhookSignature;
import com.ltxgateway.fal.FalWebhookVerifier;
import com.ltxgateway.fal.FalWebhookVerifier.Verdict;
import com.ltxgateway.training.TrainingTransitions;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Service;

/**
 * What fal (and the simulator, for sandbox trainings) reports of a completed request. Nothing in a delivery is read
 * before it has passed, in this order: the training's token in the URL (known only to whoever this gateway told the
 * URL), the fal user id it is signed for (the company's account, not any fal customer's), and fal's signature over
 * the raw body. An unknown training fails the first check like a wrong token, so the answer tells nothing about
 * which trainings exist. A delivery that passes is kept in the {@link FalWebhookInbox} and answered once it is
 * committed: fal never waits on the training's transitions, which {@link ReceivedFalWebhooks} applies right after,
 * behind the callers the instance is serving. The tracker keeps polling as a backstop.
 */
@Service
public class FalWebhooks {

    private static final Logger log = LoggerFactory.getLogger(FalWebhooks.class);

    private final TrainingTransitions transitions;
    private final KeyModeRouting endpoints;
    private final FalWebhookVerifier verifier;
    private final FalWebhookInbox inbox;
    private final ReceivedFalWebhooks applier;
    private final FalWebhookIntake intake;

    FalWebhooks(TrainingTransitions transitions, KeyModeRouting endpoints, FalWebhookVerifier verifier,
            FalWebhookInbox inbox, ReceivedFalWebhooks applier, FalWebhookIntake intake) {
        this.intake = intake;
        this.transitions = transitions;
        this.endpoints = endpoints;
        this.verifier = verifier;
        this.inbox = inbox;
        this.applier = applier;
    }

    /**
     * @param token the URL's token; null on the path earlier releases handed to fal, which is refused like a wrong one
     * @param body exactly as sent, as the signature covers it
     * @throws FalWebhookRejected unless the delivery passes every check
     * @throws FalWebhookMalformed for a verified body that is not a fal webhook
     * @throws FalWebhooksBusy when more deliveries are being received than {@link FalWebhookIntake} takes
     */
    public void receive(String trainingId, @Nullable String token, Function<String, String> header, byte[] body) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, trainingId)) {
            // Checked before it takes a place: a forger's deliveries (no database query yet) never crowd out fal's.
            if (!endpoints.tokenMatches(trainingId, token)) {
                throw rejected(trainingId, "the URL's token is not this training's");
            }
            intake.receive(() -> verifyAndKeep(trainingId, header, body));
        }
        finally {
            MDC.remove(LogFields.FAL_REQUEST_ID);
        }
    }

    private void verifyAndKeep(String trainingId, Function<String, String> header, byte[] raw) {
        // The token was made for this id, so the training exists; which keys may sign depends on its mode.
        String mode = transitions.mode(trainingId).orElseThrow(() -> rejected(trainingId, "unknown training"));
        FalWebhookSignature.Headers signature = FalWebhookSignature.Headers.from(header);
        String userId = endpoints.webhookUserId(mode);
        if (userId == null || !userId.equals(signature.userId())) {
            throw rejected(trainingId, userId == null ? "no fal user id is configured" : "signed for another fal user");
        }
        Verdict verdict = verifier.verify(signature, raw, endpoints.webhookKeys(mode));
        if (verdict != Verdict.VERIFIED) {
            throw rejected(trainingId, verdict.reason());
        }
        // Only a verified request id goes into the logs: before that it is whatever the caller sent.
        MDC.put(LogFields.FAL_REQUEST_ID, signature.requestId());
        FalWebhook webhook;
        try {
            webhook = FalWebhook.parse(raw);
        }
        catch (IllegalArgumentException e) {
            throw new FalWebhookMalformed(e.getMessage());
        }
        // The body is signed too, but only the header's request id is part of the signed message.
        if (!webhook.requestId().equals(signature.requestId())) {
            throw rejected(trainingId, "the body names another request than the signature");
        }
        inbox.keep(trainingId, webhook.requestId(), raw);
        applier.wakeUp();
    }

    private static FalWebhookRejected rejected(String trainingId, String reason) {
        log.info("Refused a fal webhook for training {}: {}", trainingId, reason);
        return new FalWebhookRejected();
    }
}
