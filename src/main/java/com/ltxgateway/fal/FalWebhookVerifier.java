package com.ltxgateway.fal;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

/**
 * Decides whether a webhook delivery was signed by fal (or by the simulator, for sandbox trainings) and is fresh,
 * from the raw body and the signature headers alone, before anything in it is read.
 */
@Component
public class FalWebhookVerifier {

    /** Unix seconds; fal sends ten digits, the bound only keeps the arithmetic safe. */
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,15}");
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-fA-F]{128}");

    private final Clock clock;
    private final Duration tolerance;

    public FalWebhookVerifier(FalProperties properties, Clock clock) {
        this.clock = clock;
        this.tolerance = properties.webhookTolerance();
    }

    public enum Verdict {
        VERIFIED("verified"),
        UNSIGNED("signature headers missing"),
        MALFORMED("signature headers malformed"),
        STALE("timestamp outside the tolerance"),
        FORGED("no known key made the signature");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        /** Safe to log: says which check failed, nothing of the delivery. */
        public String reason() {
            return reason;
        }
    }

    public Verdict verify(FalWebhookSignature.Headers headers, byte[] body, FalWebhookKeys keys) {
        if (blank(headers.requestId()) || blank(headers.userId()) || blank(headers.timestamp()) || blank(headers.signature())) {
            return Verdict.UNSIGNED;
        }
        // A line break inside a field would let one signed message be read as another.
        if (headers.requestId().indexOf('\n') >= 0 || headers.userId().indexOf('\n') >= 0
                || !TIMESTAMP.matcher(headers.timestamp()).matches() || !SIGNATURE.matcher(headers.signature()).matches()) {
            return Verdict.MALFORMED;
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - Long.parseLong(headers.timestamp()));
        if (skew > tolerance.toSeconds()) {
            return Verdict.STALE;
        }
        byte[] message = FalWebhookSignature.message(headers.requestId(), headers.userId(), headers.timestamp(), body);
        byte[] signature = HexFormat.of().parseHex(headers.signature());
        if (anyVerifies(keys.current(), message, signature) || anyVerifies(keys.refetched(), message, signature)) {
            return Verdict.VERIFIED;
        }
        return Verdict.FORGED;
    }

    private static boolean anyVerifies(List<PublicKey> keys, byte[] message, byte[] signature) {
        return keys.stream().anyMatch(key -> FalWebhookSignature.verifies(key, message, signature));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
