package com.ltxgateway.fal;

import java.security.PublicKey;
import java.util.List;

/** The public keys a webhook may be signed with: fal's published set for live trainings, the simulator's for sandbox ones. */
public interface FalWebhookKeys {

    List<PublicKey> current();

    /**
     * Asked when no current key verified a delivery, since the signer may have published a new key: the keys
     * fetched anew, or an empty list when there is nothing newer to be had now.
     */
    default List<PublicKey> refetched() {
        return List.of();
    }
}
