package com.ltxgateway.fal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import com.ltxgateway.fal.FalWebhookVerifier.Verdict;
import com.ltxgateway.support.MutableClock;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The webhook signature check: fal's published test vectors (a copy of {@code ../shared/testdata/
 * fal-webhook-signatures.json}, in {@code src/test/resources/fal}), the timestamp tolerance, and fal's key set as
 * fetched over HTTP: several keys, a new key that makes it fetch again, and the limit on how often it may.
 */
class FalWebhookVerifierTests {

    private static final JsonNode VECTORS = load("/fal/webhook-signatures.json");
    private static final Duration TOLERANCE = Duration.ofSeconds(300);
    private static final Duration CACHE_TTL = Duration.ofHours(24);
    private static final Duration REFETCH_INTERVAL = Duration.ofSeconds(30);
    private static final String REQUEST_ID = "7d0f0c2e-3d54-4b8e-9a57-1c2d3e4f5a6b";
    private static final String BODY = "{\"request_id\":\"" + REQUEST_ID + "\",\"status\":\"OK\",\"payload\":{}}";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final FakeFalWebhooks fal = FakeFalWebhooks.start();
    private final FalJwks keys = new FalJwks(properties(fal.jwksUrl()), clock);

    @AfterEach
    void stop() {
        keys.close();
        fal.close();
    }

    static Stream<Arguments> vectors() {
        return VECTORS.get("cases").valueStream().map(c -> Arguments.of(c.get("name").asString(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void acceptsExactlyTheValidVectors(String name, JsonNode vector) {
        JsonNode headers = vector.get("headers");
        clock.set(Instant.ofEpochSecond(Long.parseLong(headers.get(FalWebhookSignature.TIMESTAMP_HEADER).asString())));
        FalWebhookKeys keys = () -> Ed25519Jwks.parse(VECTORS.get("jwks"));

        Verdict verdict = verifier().verify(FalWebhookSignature.Headers.from(h -> headers.path(h).asString(null)),
                vector.get("body").asString().getBytes(StandardCharsets.UTF_8), keys);

        if (vector.get("valid").asBoolean()) {
            assertThat(verdict).isEqualTo(Verdict.VERIFIED);
        }
        else {
            assertThat(verdict).isIn(Verdict.FORGED, Verdict.MALFORMED);
        }
    }

    @Test
    void acceptsTimestampsUpTo300SecondsAwayEitherWay() {
        Instant signedAt = clock.instant();
        var headers = fal.sign(REQUEST_ID, BODY, signedAt);

        clock.set(signedAt.plusSeconds(300));
        assertThat(verify(headers, BODY, keys)).isEqualTo(Verdict.VERIFIED);
        clock.set(signedAt.plusSeconds(301));
        assertThat(verify(headers, BODY, keys)).isEqualTo(Verdict.STALE);
        clock.set(signedAt.minusSeconds(300));
        assertThat(verify(headers, BODY, keys)).isEqualTo(Verdict.VERIFIED);
        clock.set(signedAt.minusSeconds(301));
        assertThat(verify(headers, BODY, keys)).isEqualTo(Verdict.STALE);
    }

    @Test
    void refusesMissingAndMalformedHeaders() {
        var signed = fal.sign(REQUEST_ID, BODY, clock.instant());

        assertThat(verify(new FalWebhookSignature.Headers(null, null, null, null), BODY, keys)).isEqualTo(Verdict.UNSIGNED);
        assertThat(verify(new FalWebhookSignature.Headers(REQUEST_ID, signed.userId(), signed.timestamp(), null), BODY, keys))
                .isEqualTo(Verdict.UNSIGNED);
        assertThat(verify(new FalWebhookSignature.Headers(REQUEST_ID, signed.userId(), "1.7e9", signed.signature()), BODY, keys))
                .isEqualTo(Verdict.MALFORMED);
        assertThat(verify(new FalWebhookSignature.Headers(REQUEST_ID, signed.userId(), signed.timestamp(), signed.signature() + "00"),
                BODY, keys)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify(new FalWebhookSignature.Headers(REQUEST_ID + "\nx", signed.userId(), signed.timestamp(), signed.signature()),
                BODY, keys)).isEqualTo(Verdict.MALFORMED);
        assertThat(verify(signed, BODY + " ", keys)).isEqualTo(Verdict.FORGED);
        assertThat(verify(signed, BODY, keys)).isEqualTo(Verdict.VERIFIED);
    }

    @Test
    void acceptsASignatureOfAnyPublishedKey() {
        KeyPair second = fal.publish("fal-2");

        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(verify(FakeFalWebhooks.sign(second, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(1);
    }

    @Test
    void fetchesTheKeysAgainWhenAnUnknownKeySigned() {
        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(1);

        KeyPair rotated = fal.publish("fal-2");
        clock.advance(REFETCH_INTERVAL);

        assertThat(verify(FakeFalWebhooks.sign(rotated, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(2);
        // Now cached: no further fetch for either key.
        assertThat(verify(FakeFalWebhooks.sign(rotated, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(2);
    }

    @Test
    void fetchesAgainAtMostOnceEvery30Seconds() {
        KeyPair forger = FakeFalWebhooks.newKey();

        for (int i = 0; i < 5; i++) {
            assertThat(verify(FakeFalWebhooks.sign(forger, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.FORGED);
        }
        // The first delivery fetched the set, and its failure could not fetch again so soon.
        assertThat(fal.fetches()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(29));
        assertThat(verify(FakeFalWebhooks.sign(forger, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.FORGED);
        assertThat(fal.fetches()).isEqualTo(1);

        KeyPair rotated = fal.publish("fal-2");
        assertThat(verify(FakeFalWebhooks.sign(rotated, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.FORGED);
        clock.advance(Duration.ofSeconds(1));
        assertThat(verify(FakeFalWebhooks.sign(rotated, REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(2);
    }

    @Test
    void keepsTheKeysForAtMostTheCacheTime() {
        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);

        clock.advance(CACHE_TTL.minusSeconds(1));
        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.VERIFIED);
        assertThat(fal.fetches()).isEqualTo(2);
    }

    @Test
    void hasNoKeysOnceTheCacheTimeIsOverAndTheSetCannotBeFetched() {
        var headers = fal.sign(REQUEST_ID, BODY, clock.instant());
        assertThat(verify(headers, BODY, keys)).isEqualTo(Verdict.VERIFIED);

        fal.close();
        clock.advance(CACHE_TTL);

        assertThat(verify(fal.sign(REQUEST_ID, BODY, clock.instant()), BODY, keys)).isEqualTo(Verdict.FORGED);
    }

    private Verdict verify(FalWebhookSignature.Headers headers, String body, FalWebhookKeys keys) {
        return verifier().verify(headers, body.getBytes(StandardCharsets.UTF_8), keys);
    }

    private FalWebhookVerifier verifier() {
        return new FalWebhookVerifier(properties(fal.jwksUrl()), clock);
    }

    private static FalProperties properties(URI jwksUrl) {
        return new FalProperties(null, URI.create("https://queue.fal.run"), jwksUrl, "fal-ai/ltx23-trainer-v2/interpolate",
                Duration.ofSeconds(1), Duration.ofSeconds(2), null, TOLERANCE, CACHE_TTL, REFETCH_INTERVAL, null, null, null, null, null, null, null, 16);
    }

    private static JsonNode load(String resource) {
        try (InputStream in = FalWebhookVerifierTests.class.getResourceAsStream(resource)) {
            return JsonMapper.shared().readTree(in.readAllBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
