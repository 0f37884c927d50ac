package com.ltxgateway.access;

import java.security.SecureRandom;

import com.ltxgateway.Hashing;

/**
 * A key's plaintext, its SHA-256 digest (all the database keeps) and the prefix shown to admins so they can tell
 * keys apart. Keys are 32 random bytes, so a plain digest cannot be brute-forced and lookups stay a single index
 * probe.
 */
record ApiKeySecret(String plaintext, byte[] sha256, String prefix) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int RANDOM_CHARS = 43; // 62^43 > 2^256
    private static final int VISIBLE_RANDOM_CHARS = 6;

    static ApiKeySecret generate(String kind) {
        var random = new StringBuilder(RANDOM_CHARS);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            random.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return of("ltx_" + kind + "_" + random);
    }

    /** An operator-chosen key (the bootstrap admin key); its prefix shows only a few characters of it. */
    static ApiKeySecret of(String plaintext) {
        int lastUnderscore = plaintext.lastIndexOf('_');
        int visible = lastUnderscore >= 0 && lastUnderscore < plaintext.length() - VISIBLE_RANDOM_CHARS * 2
                ? lastUnderscore + 1 + VISIBLE_RANDOM_CHARS
                : Math.min(4, plaintext.length() / 4);
        return new ApiKeySecret(plaintext, digest(plaintext), plaintext.substring(0, visible));
    }

    static byte[] digest(String plaintext) {
        return Hashing.sha256(plaintext);
    }

    @Override
    public String toString() {
        return "ApiKeySecret[prefix=" + prefix + "]";
    }
}
