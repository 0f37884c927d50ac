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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.Backoff;
import com.ltxgateway.ClaimLoop;
import com.ltxgateway.GatewayProperties;
import com.ltxgateway.LogFields;
import com.ltxgateway.artifact.OutputCopyRows.ClaimedCopy;
import com.ltxgateway.artifact.OutputCopyRows.ClaimedTraining;
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
 * Copies succeeded trainings' output files into the {@link ArtifactStore}, claimed like the tracker's jobs, so a
 * restart or a dead instance loses none. Each file is downloaded into a temporary file (digested on the way, never held
 * in memory), checked against the size fal stated, then stored. Only files from the allowed source hosts are fetched,
 * through the outbound address policy; a sandbox training's files come from the simulator itself. A file gone at its
 * source (404, 410) is recorded as lost; any other failure is tried again with backoff until the copy succeeds. A
 * training's due copies are claimed, copied and settled together. Copies are the tracker's work and take its {@link
 * StepTurns}, so that while callers wait they are paced like the tracker's steps. API-only instances ({@code
 * gateway.tracker.enabled=false}) copy nothing.
 */
@Component
class OutputCopier extends ClaimLoop<ClaimedTraining> {

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
    protected List<ClaimedTraining> claim(String owner, int limit) {
        return rows.claim(owner, limit, LEASE);
    }

    @Override
    protected void renew(List<ClaimedTraining> inFlight) {
        rows.renew(inFlight, LEASE);
    }

    @Override
    protected void handBack(List<ClaimedTraining> unfinished) {
        rows.handBack(unfinished);
    }

    @Override
    protected boolean runsHere() {
        return tracker.enabled();
    }

    /**
     * Copies the training's files one after the other and settles them in one transaction: one settling transaction
     * a training instead of one a file, and no file's settle waits for another's.
     */
    @Override
    protected void handle(ClaimedTraining training) {
        turns.step(() -> {
            MDC.put(LogFields.TRAINING_ID, training.trainingId());
            try {
                settle(training.trainingId(), training.copies().stream().map(this::copy).toList());
            }
            finally {
                MDC.clear();
            }
        });
    }

    /** What became of one copy's attempt, to be written when the training's copies are settled. */
    private sealed interface Attempt {

        ClaimedCopy copy();

        record Stored(ClaimedCopy copy, long bytes, String sha256) implements Attempt {
        }

        /** The file is gone at its source. */
        record Lost(ClaimedCopy copy, int status) implements Attempt {
        }

        record Refused(ClaimedCopy copy, String why) implements Attempt {
        }

        /** Tried again after {@code retryIn}, drawn once so that the log says the wait the row holds. */
        record Failed(ClaimedCopy copy, String why, Duration retryIn) implements Attempt {
        }
    }

    private Attempt copy(ClaimedCopy copy) {
        Path file = null;
        try {
            Optional<byte[]> simulated = SandboxOutputs.at(copy.sourceUrl(), gateway);
            if (simulated.isEmpty()) {
                Optional<String> refusal = refusal(copy.sourceUrl());
                if (refusal.isPresent()) {
                    return new Attempt.Refused(copy, refusal.get());
                }
            }
            file = Files.createTempFile("output-copy-", ".part");
            Path target = file;
            Download download = simulated.isPresent() ? written(simulated.get(), file) : turns.waitingFor(() -> http.download(
                    URI.create(copy.sourceUrl()), target, properties.maxFileSize().toBytes(), properties.copyTimeout()));
            if (download.status() == 404 || download.status() == 410) {
                return new Attempt.Lost(copy, download.status());
            }
            String problem = problem(copy, download);
            if (problem != null) {
                return failed(copy, problem);
            }
            String contentType = copy.contentType() == null ? "application/octet-stream" : copy.contentType();
            turns.waitingFor(() -> store.put(copy.key(), target, contentType));
            return new Attempt.Stored(copy, download.bytes(), download.sha256());
        }
        catch (OutboundCallFailed e) {
            return e.refused() ? new Attempt.Refused(copy, "the outbound address policy refused the source: " + e.reason())
                    : failed(copy, e.reason());
        }
        catch (ArtifactStoreFailed | UncheckedIOException e) {
            return failed(copy, e.getMessage());
        }
        catch (IOException e) {
            return failed(copy, "could not write a temporary file: " + e.getMessage());
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

    /**
     * Writes the attempts of one training's copies in one transaction, taking turns with any other part of the
     * training's copies, and announces the training when this settled its last pending copy. Receivers are not kept
     * waiting for a copy that keeps failing: past {@code announce-within} they hear of the success without it.
     */
    private void settle(String trainingId, List<Attempt> attempts) {
        Instant now = clock.instant();
        List<Attempt> written = transactions.execute(tx -> {
            announcements.settlingOneAtATime(trainingId);
            List<Attempt> applied = attempts.stream().filter(this::write).toList();
            boolean settledAny = applied.stream().anyMatch(attempt -> !(attempt instanceof Attempt.Failed));
            boolean failingTooLong = applied.stream().anyMatch(attempt -> attempt instanceof Attempt.Failed
                    && attempt.copy().createdAt().plus(properties.announceWithin()).isBefore(now));
            if (failingTooLong) {
                announcements.announce(trainingId);
            }
            else if (settledAny) {
                announcements.announceIfSettled(trainingId);
            }
            return applied;
        });
        written.forEach(this::report);
    }

    /** Returns whether the copy's claim was still held, so the attempt was written. */
    private boolean write(Attempt attempt) {
        ClaimedCopy copy = attempt.copy();
        return switch (attempt) {
            case Attempt.Stored stored -> rows.stored(copy, stored.bytes(), stored.sha256());
            case Attempt.Lost lost -> rows.lost(copy, "the source answered HTTP " + lost.status() + ": fal's copy is gone");
            case Attempt.Refused refused -> rows.refused(copy, refused.why());
            case Attempt.Failed failed -> rows.failed(copy, failed.why(), failed.retryIn());
        };
    }

    private void report(Attempt attempt) {
        ClaimedCopy copy = attempt.copy();
        String outcome = switch (attempt) {
            case Attempt.Stored stored -> "stored";
            case Attempt.Lost lost -> {
                log.error("Output {} of training {} is lost: fal's copy was gone (HTTP {}) before it was copied", copy.name(),
                        copy.trainingId(), lost.status());
                yield "lost";
            }
            case Attempt.Refused refused -> {
                log.warn("Output {} of training {} is not copied: {}", copy.name(), copy.trainingId(), refused.why());
                yield "refused";
            }
            case Attempt.Failed failed -> {
                log.warn("Copy of output {} of training {} failed (attempt {}): {}; trying again in {} s", copy.name(),
                        copy.trainingId(), copy.attempts(), failed.why(), failed.retryIn().toSeconds());
                yield "retry";
            }
        };
        Counter.builder("gateway.artifacts.copies").description("Copies of output files, by what became of them")
                .tag("outcome", outcome).register(meters).increment();
    }

    private Attempt.Failed failed(ClaimedCopy copy, String why) {
        return new Attempt.Failed(copy, why, backoff.after(copy.attempts(), null).orElse(properties.retryMaxInterval()));
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
