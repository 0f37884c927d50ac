package com.ltxgateway.fal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Ed25519 public keys as JSON Web Keys (RFC 8037: {@code kty OKP, crv Ed25519}, {@code x} the raw 32-byte key,
 * base64url). The JDK reads and writes them as X.509 SubjectPublicKeyInfo, which is that raw key behind a fixed
 * 12-byte prefix.
 */
public final class Ed25519Jwks {

    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int KEY_LENGTH = 32;

    private Ed25519Jwks() {
    }

    /** The Ed25519 keys of a JWKS ({@code {"keys": [...]}}); keys of other types and unreadable ones are skipped. */
    public static List<PublicKey> parse(JsonNode jwks) {
        JsonNode keys = jwks == null ? null : jwks.get("keys");
        if (keys == null || !keys.isArray()) {
            return List.of();
        }
        List<PublicKey> parsed = new ArrayList<>();
        for (JsonNode jwk : keys.values()) {
            if ("OKP".equals(jwk.path("kty").asString(null)) && "Ed25519".equals(jwk.path("crv").asString(null))
                    && jwk.path("x").isString()) {
                PublicKey key = publicKey(jwk.get("x").stringValue());
                if (key != null) {
                    parsed.add(key);
                }
            }
        }
        return List.copyOf(parsed);
    }

    /** A JWKS document holding these keys, by key id. */
    public static Map<String, Object> jwks(Map<String, PublicKey> keys) {
        List<Map<String, Object>> jwks = new ArrayList<>();
        keys.forEach((kid, key) -> {
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kty", "OKP");
            jwk.put("crv", "Ed25519");
            jwk.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(raw(key)));
            jwk.put("kid", kid);
            jwk.put("use", "sig");
            jwks.add(jwk);
        });
        return Map.of("keys", jwks);
    }

    private static PublicKey publicKey(String x) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(x);
            if (raw.length != KEY_LENGTH) {
                return null;
            }
            byte[] encoded = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + KEY_LENGTH);
            System.arraycopy(raw, 0, encoded, X509_PREFIX.length, KEY_LENGTH);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        }
        catch (IllegalArgumentException | GeneralSecurityException e) {
            return null;
        }
    }

    private static byte[] raw(PublicKey key) {
        byte[] encoded = key.getEncoded();
        // The prefix holds Ed25519's algorithm identifier, so it also tells other key types apart.
        if (encoded == null || encoded.length != X509_PREFIX.length + KEY_LENGTH
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    }
}
