package com.ltxgateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.ltxgateway.support.MutableClock;

import org.junit.jupiter.api.Test;

/** The API key cache on a clock the test moves: what it keeps, for how long, and what a revocation does to it. */
class ApiKeyCacheTests {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final ApiKeyCache cache = new ApiKeyCache(new ApiKeyProperties(Duration.ofSeconds(30)), clock);
    private final AtomicInteger loads = new AtomicInteger();
    private final ApiKeyCache.Entry key = new ApiKeyCache.Entry(
            new Caller(UUID.randomUUID(), "ltx_abc", false, UUID.randomUUID(), "team", KeyMode.LIVE), null, null);

    @Test
    void answersForAKeyFromMemoryUntilItsTimeRunsOut() {
        cache.trusted();

        lookUp();
        clock.advance(Duration.ofSeconds(29));
        lookUp();
        assertThat(loads).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        lookUp();
        assertThat(loads).hasValue(2);
    }

    @Test
    void asksAgainAfterEveryRevocation() {
        cache.trusted();
        lookUp();

        cache.clear();
        lookUp();

        assertThat(loads).hasValue(2);
    }

    @Test
    void keepsNothingAKeyLookedUpBeforeARevocationSaid() {
        cache.trusted();

        // The revocation lands while the database is being asked: the answer may be stale, so it is not kept.
        cache.get("digest", () -> {
            loads.incrementAndGet();
            cache.clear();
            return Optional.of(key);
        });
        lookUp();

        assertThat(loads).hasValue(2);
    }

    @Test
    void neverKeepsUnknownKeys() {
        cache.trusted();

        cache.get("unknown", () -> {
            loads.incrementAndGet();
            return Optional.empty();
        });
        cache.get("unknown", () -> {
            loads.incrementAndGet();
            return Optional.empty();
        });

        assertThat(loads).hasValue(2);
    }

    @Test
    void isNotUsedWhileNoRevocationCouldReachIt() {
        lookUp();
        lookUp();
        assertThat(loads).hasValue(2);

        cache.trusted();
        lookUp();
        cache.untrusted();
        lookUp();
        assertThat(loads).hasValue(4);
    }

    @Test
    void aLastUseIsRecordedOnlyForAKeyStillCached() {
        cache.trusted();
        lookUp();
        Instant used = clock.instant().plusSeconds(5);

        cache.used("digest", used);
        assertThat(lookUp().lastUsedAt()).isEqualTo(used);

        cache.clear();
        cache.used("digest", used.plusSeconds(5));
        assertThat(lookUp().lastUsedAt()).isNull();
    }

    @Test
    void aZeroTimeTurnsItOff() {
        ApiKeyCache off = new ApiKeyCache(new ApiKeyProperties(Duration.ZERO), clock);
        off.trusted();

        assertThat(off.enabled()).isFalse();
        lookUp(off);
        lookUp(off);
        assertThat(loads).hasValue(2);
    }

    private ApiKeyCache.Entry lookUp() {
        return lookUp(cache);
    }

    private ApiKeyCache.Entry lookUp(ApiKeyCache from) {
        return from.get("digest", () -> {
            loads.incrementAndGet();
            return Optional.of(key);
        }).orElseThrow();
    }
}
