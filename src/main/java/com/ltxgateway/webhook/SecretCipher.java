package com.ltxgateway.webhook;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * AES-256-GCM for the signing secrets at rest: a random 96-bit nonce per secret, stored in front of the
 * ciphertext. The team's id is authenticated along, so a ciphertext moved to another team's row does not open.
 */
final class SecretCipher {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    /** Keys secrets may still be sealed with, from before a rotation of the current one: they open, never seal. */
    private final List<SecretKeySpec> previous;
    private final SecureRandom random;

    private SecretCipher(byte[] key, List<SecretKeySpec> previous, SecureRandom random) {
        this.key = new SecretKeySpec(key, "AES");
        this.previous = previous;
        this.random = random;
    }

    /** {@code base64Key}: the value of {@code gateway.webhooks.encryption-key}, 32 bytes in standard base64. */
    static SecretCipher of(String base64Key, SecureRandom random) {
        return of(base64Key, List.of(), random);
    }

    /** @param previousBase64Keys {@code gateway.webhooks.previous-encryption-keys}: keys a rotation replaced */
    static SecretCipher of(String base64Key, List<String> previousBase64Keys, SecureRandom random) {
        List<SecretKeySpec> previous = previousBase64Keys.stream().filter(candidate -> !candidate.isBlank())
                .map(candidate -> new SecretKeySpec(decode(candidate, "gateway.webhooks.previous-encryption-keys"), "AES")).toList();
        return new SecretCipher(decode(base64Key, "gateway.webhooks.encryption-key"), previous, random);
    }

    private static byte[] decode(String base64Key, String property) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        }
        catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException(property + " must be " + KEY_BYTES
                    + " random bytes in base64 (for example from 'openssl rand -base64 32')");
        }
        return key;
    }

    byte[] seal(byte[] plaintext, UUID teamId) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] ciphertext = run(Cipher.ENCRYPT_MODE, key, nonce, teamId, plaintext);
            return ByteBuffer.allocate(nonce.length + ciphertext.length).put(nonce).put(ciphertext).array();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("A webhook signing secret could not be encrypted", e);
        }
    }

    /**
     * The secret, opened with the current key or, after a rotation, a previous one.
     *
     * @throws SigningSecretUndecryptable when no key opens it: the key it was sealed with is gone (or the row was
     * tampered with), which no retry fixes
     */
    byte[] open(byte[] sealed, UUID teamId) {
        byte[] opened = openWith(key, sealed, teamId);
        for (int i = 0; opened == null && i < previous.size(); i++) {
            opened = openWith(previous.get(i), sealed, teamId);
        }
        if (opened == null) {
            throw new SigningSecretUndecryptable(teamId);
        }
        return opened;
    }

    /** The secret sealed again with the current key; null when the current key opens it already. */
    byte @Nullable [] resealed(byte[] sealed, UUID teamId) {
        return openWith(key, sealed, teamId) != null ? null : seal(open(sealed, teamId), teamId);
    }

    private static byte @Nullable [] openWith(SecretKeySpec key, byte[] sealed, UUID teamId) {
        try {
            return run(Cipher.DECRYPT_MODE, key, Arrays.copyOf(sealed, NONCE_BYTES), teamId, Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length));
        }
        catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static byte[] run(int mode, SecretKeySpec key, byte[] nonce, UUID teamId, byte[] input) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(ByteBuffer.allocate(16).putLong(teamId.getMostSignificantBits())
                .putLong(teamId.getLeastSignificantBits()).array());
        return cipher.doFinal(input);
    }
}
