package com.ltxgateway.webhook;

import java.util.UUID;

/**
 * A team's signing secret opens with none of the gateway's keys: {@code gateway.webhooks.encryption-key} was changed
 * without the key it replaced in {@code gateway.webhooks.previous-encryption-keys}, or the row was tampered with.
 */
final class SigningSecretUndecryptable extends RuntimeException {

    SigningSecretUndecryptable(UUID teamId) {
        super("The webhook signing secret of team " + teamId + " opens with none of the configured encryption keys: was"
                + " gateway.webhooks.encryption-key changed without the old key in gateway.webhooks.previous-encryption-keys?");
    }
}
