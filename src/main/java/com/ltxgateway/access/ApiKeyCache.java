package com.ltxgateway.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

/**
 * The keys an instance checked lately, by digest, so that most requests need no query. Used only while revocations
 * are being listened for ({@link ApiKeyRevocations}); every revocation empties it. Unknown and revoked keys are never
 * kept: each of those is asked about again.
 */
@Component
class ApiKeyCache {

    /** A bound, not a working size: the keys in use are far fewer. Past it the cache starts over. */
    private static final int MAX_ENTRIES = 10_000;

    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    // Bumped by every clear, so that a lookup that began before a revocation cannot put its stale answer back.
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean trusted;

    record Entry(Caller caller, Instant lastUsedAt, Instant expiresAt) {
    }

    ApiKeyCache(ApiKeyProperties properties, Clock clock) {
        this.ttl = properties.cacheTtl();
        this.clock = clock;
    }

    boolean enabled() {
        return ttl.isPositive();
    }

    /** The cached entry for {@code digest}, else what {@code load} finds, kept when the cache may keep it. */
    Optional<Entry> get(String digest, Supplier<Optional<Entry>> load) {
        Instant now = clock.instant();
        Entry cached = trusted ? entries.get(digest) : null;
        if (cached != null && now.isBefore(cached.expiresAt())) {
            return Optional.of(cached);
        }
        long before = generation.get();
        Optional<Entry> loaded = load.get().map(entry -> new Entry(entry.caller(), entry.lastUsedAt(), now.plus(ttl)));
        loaded.ifPresent(entry -> put(digest, entry, before));
        return loaded;
    }

    /** Records a newer last use of a key that is still cached; one cleared meanwhile stays out. */
    void used(String digest, Instant at) {
        entries.computeIfPresent(digest, (key, entry) -> new Entry(entry.caller(), at, entry.expiresAt()));
    }

    private void put(String digest, Entry entry, long seenGeneration) {
        if (!trusted) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            clear();
        }
        entries.put(digest, entry);
        if (generation.get() != seenGeneration) {
            // A clear ran meanwhile: what was looked up before it may be revoked.
            entries.remove(digest, entry);
        }
    }

    void clear() {
        generation.incrementAndGet();
        entries.clear();
    }

    void trusted() {
        clear();
        trusted = enabled();
    }

    void untrusted() {
        trusted = false;
        clear();
    }
}
