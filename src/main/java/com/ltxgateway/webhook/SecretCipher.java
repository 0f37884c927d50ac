package com.ltxgateway.webhook;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

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
    private final SecureRandom random;

    private SecretCipher(byte[] key, SecureRandom random) {
        this.key = new SecretKeySpec(key, "AES");
        this.random = random;
    }

    /** {@code base64Key}: the value of {@code gateway.webhooks.encryption-key}, 32 bytes in standard base64. */
    static SecretCipher of(String base64Key, SecureRandom random) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        }
        catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("gateway.webhooks.encryption-key must be " + KEY_BYTES
                    + " random bytes in base64 (for example from 'openssl rand -base64 32')");
        }
        return new SecretCipher(key, random);
    }

    byte[] seal(byte[] plaintext, UUID teamId) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ciphertext = run(Cipher.ENCRYPT_MODE, nonce, teamId, plaintext);
        return ByteBuffer.allocate(nonce.length + ciphertext.length).put(nonce).put(ciphertext).array();
    }

    byte[] open(byte[] sealed, UUID teamId) {
        return run(Cipher.DECRYPT_MODE, Arrays.copyOf(sealed, NONCE_BYTES), teamId,
                Arrays.copyOfRange(sealed, NONCE_BYTES, sealed.length));
    }

    private byte[] run(int mode, byte[] nonce, UUID teamId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(ByteBuffer.allocate(16).putLong(teamId.getMostSignificantBits())
                    .putLong(teamId.getLeastSignificantBits()).array());
            return cipher.doFinal(input);
        }
        catch (GeneralSecurityException e) {
            // Also a wrong key or a tampered row: nothing a retry would fix, and nothing to sign with.
            throw new IllegalStateException("A webhook signing secret could not be " + (mode == Cipher.ENCRYPT_MODE
                    ? "encrypted" : "decrypted; was gateway.webhooks.encryption-key changed?"), e);
        }
    }
}
