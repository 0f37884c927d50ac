package com.ltxgateway.throttle;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** Turns an empty bucket into a {@link Refusal}: counted in its burst and in {@code gateway_throttle_refusals_total}. */
@Component
class Refusals {

    private final ThrottleBursts bursts;
    private final Counter signIns;
    private final Counter unknownApiKeys;

    Refusals(ThrottleBursts bursts, MeterRegistry meters) {
        this.bursts = bursts;
        this.signIns = counter(meters, "sign_in");
        this.unknownApiKeys = counter(meters, "unknown_api_key");
    }

    Refusal signIn(String subject, Duration retryAfter, Duration quiet) {
        signIns.increment();
        return new Refusal(retryAfter, bursts.refused(subject, quiet));
    }

    Refusal unknownApiKey(String subject, Duration retryAfter, Duration quiet) {
        unknownApiKeys.increment();
        return new Refusal(retryAfter, bursts.refused(subject, quiet));
    }

    /** A refusal in a burst already recorded: counted, with no query. */
    Refusal unknownApiKeyAgain(Duration retryAfter) {
        unknownApiKeys.increment();
        return new Refusal(retryAfter, false);
    }

    private static Counter counter(MeterRegistry meters, String kind) {
        return Counter.builder("gateway.throttle.refusals")
                .description("Attempts refused because their throttle's bucket was empty")
                .tag("kind", kind)
                .register(meters);
    }
}
