package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signing secrets at rest: sealed per team, opened only with the same key and for the same team. */
class SecretCipherTests {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private final SecretCipher cipher = SecretCipher.of(KEY, new SecureRandom());
    private final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes();

    @Test
    void opensWhatItSealedForTheSameTeam() {
        UUID team = UUID.randomUUID();

        byte[] sealed = cipher.seal(secret, team);

        assertThat(cipher.open(sealed, team)).isEqualTo(secret);
        assertThat(sealed).hasSize(12 + secret.length + 16);
        assertThat(indexOf(sealed, secret)).isNegative();
        // A fresh nonce every time: the same secret never looks the same twice.
        assertThat(cipher.seal(secret, team)).isNotEqualTo(sealed);
    }

    @Test
    void refusesAnotherTeamsCiphertextAnotherKeyAndTampering() {
        UUID team = UUID.randomUUID();
        byte[] sealed = cipher.seal(secret, team);
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;

        assertThatThrownBy(() -> cipher.open(sealed, UUID.randomUUID())).isInstanceOf(SigningSecretUndecryptable.class);
        assertThatThrownBy(() -> cipher.open(tampered, team)).isInstanceOf(SigningSecretUndecryptable.class);
        assertThatThrownBy(() -> SecretCipher.of(Base64.getEncoder().encodeToString(otherKey), new SecureRandom()).open(sealed, team))
                .isInstanceOf(SigningSecretUndecryptable.class)
                .hasMessageContaining("was gateway.webhooks.encryption-key changed without the old key in gateway.webhooks.previous-encryption-keys?");
        assertThat(SecretCipher.of(Base64.getEncoder().encodeToString(otherKey), List.of(KEY), new SecureRandom())
                .open(sealed, team)).as("opens with a previous key").isEqualTo(secret);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "not base64!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
    void refusesAKeyThatIsNot256Bits(String key) {
        assertThatThrownBy(() -> SecretCipher.of(key, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.webhooks.encryption-key must be 32 random bytes in base64")
                .hasMessageNotContaining(key.isEmpty() ? "\u0000" : key);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
