package com.ltxgateway.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * API keys the gateway does not know, per client address. Known keys cost nothing: only an unknown one takes a token
 * from its address's bucket. Once the bucket is empty, every API-key request from that address is refused before its
 * key is looked at, until the bucket has a token again; otherwise a guess that happened to be right would still get
 * through. Which addresses are refused is remembered by each instance from its own refusals (the bucket itself is
 * shared), so a blocked address costs no query per request.
 */
@Component
public class UnknownApiKeyThrottle {

    /** A bound, not a working size: past it the remembered refusals are dropped, and the buckets still decide. */
    private static final int MAX_REMEMBERED = 10_000;

    private final ThrottleBuckets buckets;
    private final Refusals refusals;
    private final Limit perAddress;
    private final Clock clock;
    private final Map<String, Instant> refusedUntil = new ConcurrentHashMap<>();

    UnknownApiKeyThrottle(ThrottleBuckets buckets, Refusals refusals, ThrottleProperties properties, Clock clock) {
        this.buckets = buckets;
        this.refusals = refusals;
        this.perAddress = new Limit(properties.unknownApiKeys().perAddress(), properties.unknownApiKeys().window());
        this.clock = clock;
    }

    /** A refusal while {@code address} is known to have used up its unknown keys; no query. */
    public Optional<Refusal> refusing(String address) {
        String client = ClientAddress.bucketOf(address);
        Instant until = refusedUntil.get(client);
        if (until == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!now.isBefore(until)) {
            refusedUntil.remove(client, until);
            return Optional.empty();
        }
        // Part of the burst the refusal that put the address here recorded.
        return Optional.of(refusals.unknownApiKeyAgain(Duration.between(now, until)));
    }

    /** Counts an unknown key from {@code address}; a refusal when that was one too many. */
    public Optional<Refusal> unknownKey(String address) {
        String client = ClientAddress.bucketOf(address);
        Optional<Duration> wait = buckets.take(key(client), perAddress);
        if (wait.isEmpty()) {
            return Optional.empty();
        }
        if (refusedUntil.size() >= MAX_REMEMBERED) {
            refusedUntil.clear();
        }
        refusedUntil.put(client, clock.instant().plus(wait.get()));
        return Optional.of(refusals.unknownApiKey(key(client), wait.get(), perAddress.window()));
    }

    /**
     * An admin's decision: {@code address}'s unknown keys are counted afresh. This instance stops refusing it at once;
     * another that refused it lately stops when that refusal's wait ends (at most window / limit).
     */
    public void forget(String address) {
        String client = ClientAddress.bucketOf(address);
        buckets.remove(key(client));
        refusedUntil.remove(client);
    }

    /** Whether {@code text} is an IP address written out (never a host name to look up). */
    public static boolean isAddressLiteral(String text) {
        return ClientAddress.isLiteral(text);
    }

    private static String key(String client) {
        return "api-key:address:" + client;
    }
}
