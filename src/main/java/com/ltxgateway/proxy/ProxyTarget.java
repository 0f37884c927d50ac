package com.ltxgateway.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * @param endpointId such as {@code fal-ai/ltx23-trainer-v2/interpolate}; status, result and cancel name only its
     * owner and app ({@code fal-ai/ltx23-trainer-v2})
     * @throws ProxyTargetRefused naming what is not served
     */
    static ProxyTarget parse(@Nullable String header, String method, String endpointId) {
        if (header == null || header.isBlank()) {
            throw new ProxyTargetRefused("The x-fal-target-url header is missing: configure fal's client with this URL as its proxyUrl");
        }
        URI target;
        try {
            target = new URI(header.strip());
        }
        catch (URISyntaxException e) {
            throw new ProxyTargetRefused("x-fal-target-url is not a URL");
        }
        String path = target.getRawPath() == null ? "" : target.getRawPath();
        if ("https".equals(target.getScheme()) && STORAGE_HOST.equals(target.getHost()) && target.getPort() == -1
                && (path.equals("/storage/upload/initiate") || path.equals("/storage/upload/initiate-multipart"))
                && "fal-cdn-v3".equals(query(target, "storage_type"))) {
            requireMethod(method, "POST", "an upload's initiate");
            return new StorageInitiate(path.endsWith("-multipart"));
        }
        if (!"https".equals(target.getScheme()) || !QUEUE_HOST.equals(target.getHost()) || target.getPort() != -1) {
            throw new ProxyTargetRefused("x-fal-target-url must be fal's queue (https://" + QUEUE_HOST + "/" + endpointId
                    + "); this gateway does not serve " + safe(target.getScheme() + "://" + target.getHost()));
        }
        String app = endpointId.substring(0, appEnd(endpointId));
        if (path.equals("/" + endpointId)) {
            requireMethod(method, "POST", "a submit");
            return new Submit(query(target, "fal_webhook"));
        }
        Matcher request = Pattern.compile("/" + Pattern.quote(app) + "/requests/([A-Za-z0-9_-]{1,64})(/status(/stream)?|/cancel)?").matcher(path);
        if (!request.matches()) {
            throw new ProxyTargetRefused("This gateway serves fal's queue for " + endpointId + " only, not " + safe(path));
        }
        String id = request.group(1);
        boolean logs = "1".equals(query(target, "logs"));
        if (request.group(2) == null) {
            requireMethod(method, "GET", "a result");
            return new Result(id);
        }
        if (request.group(2).equals("/cancel")) {
            requireMethod(method, "PUT", "a cancel");
            return new Cancel(id);
        }
        requireMethod(method, "GET", "a status");
        return request.group(3) == null ? new Status(id, logs) : new StatusStream(id, logs);
    }

    /** Where the app ends: {@code fal-ai/ltx23-trainer-v2/interpolate} has app {@code fal-ai/ltx23-trainer-v2}. */
    private static int appEnd(String endpointId) {
        int owner = endpointId.indexOf('/');
        int app = endpointId.indexOf('/', owner + 1);
        return app < 0 ? endpointId.length() : app;
    }

    private static void requireMethod(String method, String expected, String what) {
        if (!expected.equalsIgnoreCase(method)) {
            throw new ProxyTargetRefused(what + " is " + expected + ", not " + safe(method));
        }
    }

    private static @Nullable String query(URI target, String name) {
        String query = target.getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A bit of the caller's header fit to be shown back: printable ASCII, at most 200 characters. */
    private static String safe(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "…" : printable;
    }
}
