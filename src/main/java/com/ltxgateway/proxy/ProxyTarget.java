package com.ltxgateway.proxy;

import org.jspecify.annotations.Nullable;

/**
 * What a fal client asked for through the proxy, read from its {@code x-fal-target-url}: a call of fal's queue API on
 * the one endpoint the gateway trains with. Anything else is refused, named.
 */
sealed interface ProxyTarget {

    String QUEUE_HOST = "queue.fal.run";
    String STORAGE_HOST = "rest.fal.ai";

    /** {@code POST https://queue.fal.run/{endpoint}[?fal_webhook=]} */
    record Submit(@Nullable String falWebhook) implements ProxyTarget {
    }

    /** {@code POST https://rest.fal.ai/storage/upload/initiate[-multipart]?storage_type=fal-cdn-v3}: fal.storage.upload. */
    record StorageInitiate(boolean multipart) implements ProxyTarget {
    }

    /** {@code GET .../requests/{id}/status[?logs=1]} */
    record Status(String requestId, boolean logs) implements ProxyTarget {
    }

    /** {@code GET .../requests/{id}/status/stream[?logs=1]}: server-sent events until the request completes. */
    record StatusStream(String requestId, boolean logs) implements ProxyTarget {
    }

    /** {@code GET .../requests/{id}} */
    record Result(String requestId) implements ProxyTarget {
    }

    /** {@code PUT .../requests/{id}/cancel} */
    record Cancel(String requestId) implements ProxyTarget {
    }
}
