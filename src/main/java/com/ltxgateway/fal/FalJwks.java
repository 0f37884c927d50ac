package com.ltxgateway.fal;

import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;

import io.netty.handler.codec.http.HttpMethod;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * fal's webhook keys, fetched from {@code gateway.fal.jwks-url} and kept for at most {@code gateway.fal.jwks-cache-ttl}.
 * A delivery none of them verifies makes it fetch again (fal may have added a key), but never more often than
 * {@code gateway.fal.jwks-refetch-interval}, also while the set cannot be fetched at all. Past the cache time without
 * a successful fetch there are no keys: deliveries are refused and the tracker's polls carry on alone.
 */
@Component
public class FalJwks implements FalWebhookKeys, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FalJwks.class);

    /** A JWKS holds a handful of keys; anything much larger is not one. */
    private static final int MAX_BYTES = 64 * 1024;

    private final OutboundHttp http;
    private final URI url;
    private final Duration cacheTtl;
    private final Duration refetchInterval;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.shared();
    // A lock rather than synchronized: callers are virtual threads, and the fetch blocks on I/O.
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Fetched fetched;
    private Instant lastAttempt;

    private record Fetched(List<PublicKey> keys, Instant at) {
    }

    public FalJwks(FalProperties properties, Clock clock) {
        this.url = properties.jwksUrl();
        this.cacheTtl = properties.jwksCacheTtl();
        this.refetchInterval = properties.jwksRefetchInterval();
        this.clock = clock;
        this.http = OutboundHttp.pooled("fal-jwks", properties.timeouts());
    }

    @Override
    public List<PublicKey> current() {
        Fetched cached = fetched;
        if (fresh(cached)) {
            return cached.keys();
        }
        lock.lock();
        try {
            if (!fresh(fetched) && mayFetch()) {
                fetch();
            }
            return fresh(fetched) ? fetched.keys() : List.of();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public List<PublicKey> refetched() {
        lock.lock();
        try {
            return mayFetch() && fetch() ? fetched.keys() : List.of();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        http.close();
    }

    private boolean fresh(Fetched cached) {
        return cached != null && clock.instant().isBefore(cached.at().plus(cacheTtl));
    }

    private boolean mayFetch() {
        return lastAttempt == null || !clock.instant().isBefore(lastAttempt.plus(refetchInterval));
    }

    /** Keeps the previous keys when the new set cannot be had: a failed fetch is no reason to drop good keys early. */
    private boolean fetch() {
        Instant now = clock.instant();
        lastAttempt = now;
        try {
            OutboundHttp.Answer answer = http.exchange(HttpMethod.GET, url, Map.of("Accept", "application/json"), null, MAX_BYTES,
                    MAX_BYTES);
            if (answer.status() != 200 || answer.tooLarge()) {
                log.warn("Could not fetch fal's webhook keys from {}: HTTP {}{}", url, answer.status(),
                        answer.tooLarge() ? ", body too large" : "");
                return false;
            }
            List<PublicKey> keys = Ed25519Jwks.parse(json.readTree(answer.body()));
            if (keys.isEmpty()) {
                log.warn("fal's webhook key set at {} holds no Ed25519 key", url);
                return false;
            }
            fetched = new Fetched(keys, now);
            return true;
        }
        catch (OutboundCallFailed e) {
            log.warn("Could not fetch fal's webhook keys from {}: {}", url, e.reason());
            return false;
        }
        catch (JacksonException | IllegalArgumentException e) {
            log.warn("Could not read fal's webhook keys from {}: {}", url, e.getClass().getSimpleName());
            return false;
        }
    }
}
