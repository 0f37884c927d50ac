package com.ltxgateway.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import com.ltxgateway.Backoff;
import com.ltxgateway.ClaimLoop;
import com.ltxgateway.GatewayProperties;
import com.ltxgateway.LogFields;
import com.ltxgateway.artifact.OutputCopyRows.ClaimedCopy;
import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundHttp.Download;
import com.ltxgateway.net.OutboundTimeouts;
import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.sandbox.SandboxOutputs;
import com.ltxgateway.tracking.StepTurns;
import com.ltxgateway.tracking.TrackerProperties;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Copies succeeded trainings' output files into the {@link ArtifactStore}, claimed like the tracker's jobs, so a restart
 * or a dead instance loses none. Each file is downloaded into a temporary file (digested on the way, never held in
 * memory), checked against the size fal stated, then stored. Only files from the allowed source hosts are fetched,
 * through the outbound address policy; a sandbox training's files come from the simulator itself. A file gone at its
 * source (404, 410) is recorded as lost; any other failure is tried again with backoff until the copy succeeds.
 * Copies are the tracker's work and take its {@link StepTurns}, so that while callers wait they are paced like the
 * tracker's steps. API-only instances ({@code gateway.tracker.enabled=false}) copy nothing.
 */
@Component
class OutputCopier extends ClaimLoop<ClaimedCopy> {

    private static final Logger log = LoggerFactory.getLogger(OutputCopier.class);
    private static final Duration LEASE = Duration.ofSeconds(60);

    private final OutputCopyRows rows;
    private final ArtifactStore store;
    private final ArtifactProperties properties;
    private final OutboundUrlPolicy policy;
    private final GatewayProperties gateway;
    private final TrackerProperties tracker;
    private final OutboundHttp http;
    private final Backoff backoff;
    private final MeterRegistry meters;
    private final OutputAnnouncements announcements;
    private final StepTurns turns;
    private final TransactionTemplate transactions;
    private final Clock clock;

    OutputCopier(OutputCopyRows rows, ArtifactStore store, ArtifactProperties properties, OutboundUrlPolicy policy,
            GatewayProperties gateway, TrackerProperties tracker, MeterRegistry meters, OutputAnnouncements announcements,
            StepTurns turns, TransactionTemplate transactions, Clock clock) {
        super("output-copier", properties.concurrency(), properties.concurrency(), tracker.idleInterval(), LEASE.dividedBy(3),
                Duration.ofSeconds(10));
        this.rows = rows;
        this.store = store;
        this.properties = properties;
        this.policy = policy;
        this.gateway = gateway;
        this.tracker = tracker;
        this.meters = meters;
        this.announcements = announcements;
        this.turns = turns;
        this.transactions = transactions;
        this.clock = clock;
        this.http = OutboundHttp.pooled("artifact-sources", new OutboundTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60)), policy);
        this.backoff = Backoff.exponential(properties.retryInitialInterval(), properties.retryMaxInterval());
    }

    @PreDestroy
    void closeClient() {
        http.close();
    }

    @Override
    protected List<ClaimedCopy> claim(String owner, int limit) {
        return rows.claim(owner, limit, LEASE);
    }

    @Override
    protected void renew(List<ClaimedCopy> inFlight) {
        rows.renew(inFlight, LEASE);
    }

    @Override
    protected void handBack(List<ClaimedCopy> unfinished) {
        rows.handBack(unfinished);
    }

    @Override
    protected boolean runsHere() {
        return tracker.enabled();
    }

    @Override
    protected void handle(ClaimedCopy copy) {
        turns.step(() -> copy(copy));
    }

    private void copy(ClaimedCopy copy) {
        MDC.put(LogFields.TRAINING_ID, copy.trainingId());
        Path file = null;
        try {
            Optional<byte[]> simulated = SandboxOutputs.at(copy.sourceUrl(), gateway);
            if (simulated.isEmpty()) {
                Optional<String> refusal = refusal(copy.sourceUrl());
                if (refusal.isPresent()) {
                    settle(copy, "refused", () -> rows.refused(copy, refusal.get()));
                    log.warn("Output {} of training {} is not copied: {}", copy.name(), copy.trainingId(), refusal.get());
                    return;
                }
            }
            file = Files.createTempFile("output-copy-", ".part");
            Path target = file;
            Download download = simulated.isPresent() ? written(simulated.get(), file) : turns.waitingFor(() -> http.download(
                    URI.create(copy.sourceUrl()), target, properties.maxFileSize().toBytes(), properties.copyTimeout()));
            if (download.status() == 404 || download.status() == 410) {
                settle(copy, "lost", () -> rows.lost(copy, "the source answered HTTP " + download.status() + ": fal's copy is gone"));
                log.error("Output {} of training {} is lost: fal's copy was gone (HTTP {}) before it was copied", copy.name(),
                        copy.trainingId(), download.status());
                return;
            }
            String problem = problem(copy, download);
            if (problem != null) {
                retry(copy, problem);
                return;
            }
            String contentType = copy.contentType() == null ? "application/octet-stream" : copy.contentType();
            turns.waitingFor(() -> store.put(copy.key(), target, contentType));
            settle(copy, "stored", () -> rows.stored(copy, download.bytes(), download.sha256()));
        }
        catch (OutboundCallFailed e) {
            if (e.refused()) {
                settle(copy, "refused", () -> rows.refused(copy, "the outbound address policy refused the source: " + e.reason()));
            }
            else {
                retry(copy, e.reason());
            }
        }
        catch (ArtifactStoreFailed | UncheckedIOException e) {
            retry(copy, e.getMessage());
        }
        catch (IOException e) {
            retry(copy, "could not write a temporary file: " + e.getMessage());
        }
        finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                }
                catch (IOException e) {
                    log.warn("Could not delete temporary file {}", file, e);
                }
            }
            MDC.clear();
        }
    }

    /** Why the URL is not fetched: not http(s), not from an allowed source host, or refused by the address policy. */
    private Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        }
        catch (IllegalArgumentException e) {
            return Optional.of("not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            return Optional.of("not an http(s) URL");
        }
        if (!properties.allowsSource(uri.getHost())) {
            return Optional.of("host " + uri.getHost() + " is not one of gateway.artifacts.source-hosts");
        }
        return policy.refusal(url);
    }

    private static String problem(ClaimedCopy copy, Download download) {
        if (!download.is2xx()) {
            return "the source answered HTTP " + download.status();
        }
        if (download.tooLarge()) {
            return "the file is larger than gateway.artifacts.max-file-size";
        }
        if (copy.expectedSize() != null && download.bytes() != copy.expectedSize()) {
            return "got " + download.bytes() + " bytes where fal stated " + copy.expectedSize();
        }
        return null;
    }

    private void retry(ClaimedCopy copy, String why) {
        Duration wait = backoff.after(copy.attempts(), null).orElse(properties.retryMaxInterval());
        transactions.executeWithoutResult(tx -> {
            rows.failed(copy, why, wait);
            // Receivers are not kept waiting for a copy that keeps failing: they hear of the success, without it.
            if (copy.createdAt().plus(properties.announceWithin()).isBefore(clock.instant())) {
                announcements.announce(copy.trainingId());
            }
        });
        meters.counter("gateway.artifacts.copies", "outcome", "retry").increment();
        log.warn("Copy of output {} of training {} failed (attempt {}): {}; trying again in {} s", copy.name(), copy.trainingId(),
                copy.attempts(), why, wait.toSeconds());
    }

    /** Settles the copy and, when it was the training's last, announces the training, in one transaction. */
    private void settle(ClaimedCopy copy, String outcome, BooleanSupplier write) {
        boolean settled = Boolean.TRUE.equals(transactions.execute(tx -> {
            announcements.settlingOneAtATime(copy.trainingId());
            boolean written = write.getAsBoolean();
            if (written) {
                announcements.announceIfSettled(copy.trainingId());
            }
            return written;
        }));
        if (settled) {
            Counter.builder("gateway.artifacts.copies").description("Copies of output files, by what became of them")
                    .tag("outcome", outcome).register(meters).increment();
        }
    }

    private static Download written(byte[] bytes, Path file) throws IOException {
        Files.write(file, bytes);
        try {
            return new Download(200, bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), false);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
