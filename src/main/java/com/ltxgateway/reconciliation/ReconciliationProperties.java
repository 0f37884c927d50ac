package com.ltxgateway.reconciliation;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the gateway compares its trainings with what fal knows (with {@code gateway.fal.admin-key}) and cancels the
 * requests no training follows.
 *
 * @param interval how often one instance reads fal's request listing and billing events
 * @param overlap how far each reading reaches back before where the previous one ended, for requests fal lists late
 * @param initialLookback how far the first reading reaches back
 * @param matchMargin how far a listed request's {@code sent_at} may lie outside an unconfirmed submit's attempt (from
 * its start to when it was found lost) and still be that submit: the clocks of fal and the gateway differ a little
 * @param orphanGrace how old a listed request must be before it counts as an orphan, so the answer to a submit under
 * way can still name its training
 * @param cancelOrphans whether listed orphans that still run are canceled; switch off only when something else submits
 * to the endpoint with the same fal account
 * @param cancelIdleInterval how often an idle instance looks for cancels to send
 * @param cancelRetryInitialInterval first wait after a cancel fal did not confirm
 * @param cancelRetryMaxInterval longest wait between two tries of a cancel; tries go on until fal confirms
 */
@ConfigurationProperties("gateway.reconciliation")
record ReconciliationProperties(
        @DefaultValue("1m") Duration interval,
        @DefaultValue("15m") Duration overlap,
        @DefaultValue("24h") Duration initialLookback,
        @DefaultValue("1m") Duration matchMargin,
        @DefaultValue("2m") Duration orphanGrace,
        @DefaultValue("true") boolean cancelOrphans,
        @DefaultValue("1s") Duration cancelIdleInterval,
        @DefaultValue("2s") Duration cancelRetryInitialInterval,
        @DefaultValue("5m") Duration cancelRetryMaxInterval) {
}
