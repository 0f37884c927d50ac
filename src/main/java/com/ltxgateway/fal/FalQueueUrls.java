package com.ltxgateway.fal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The URLs of fal's queue protocol for one endpoint. fal's answers carry URLs of their own; they are used only when
 * they point at the endpoint's queue host, so a key is never sent anywhere else.
 */
final class FalQueueUrls {

    private FalQueueUrls() {
    }

    /** {@code {queueUrl}/{endpointId}}, with fal's webhook in the query when one is wanted. */
    static URI submitUrl(FalEndpoint endpoint, @Nullable URI webhookUrl) {
        String url = base(endpoint) + "/" + encodePath(endpoint.endpointId());
        if (webhookUrl != null) {
            url += "?fal_webhook=" + UriUtils.encode(webhookUrl.toString(), StandardCharsets.UTF_8);
        }
        return URI.create(url);
    }

    private static String base(FalEndpoint endpoint) {
        String base = endpoint.queueUrl().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** {@code {queueUrl}/{owner}/{app}/requests/{id}{suffix}}: fal drops the endpoint's sub-path here. */
    static URI requestUrl(FalEndpoint endpoint, FalRequestRef request, String suffix) {
        String[] segments = endpoint.endpointId().split("/");
        String app = segments.length >= 2 ? segments[0] + "/" + segments[1] : endpoint.endpointId();
        return URI.create(base(endpoint) + "/" + encodePath(app) + "/requests/"
                + UriUtils.encodePathSegment(request.requestId(), StandardCharsets.UTF_8) + suffix);
    }

    private static String encodePath(String path) {
        List<String> encoded = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                encoded.add(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
            }
        }
        return String.join("/", encoded);
    }

    /** fal's own URL when it points at the endpoint's queue host, so the key cannot be sent anywhere else. */
    static URI sameOrigin(FalEndpoint endpoint, URI candidate, URI fallback) {
        if (candidate == null || !candidate.isAbsolute() || candidate.getRawUserInfo() != null || candidate.getHost() == null) {
            return fallback;
        }
        URI queue = endpoint.queueUrl();
        boolean same = candidate.getScheme().equalsIgnoreCase(queue.getScheme())
                && candidate.getHost().equalsIgnoreCase(queue.getHost())
                && port(candidate) == port(queue);
        return same ? candidate : fallback;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }

    /** fal's status URL (same host only) with {@code logs} forced into its query, else one built from the id. */
    static URI statusUrl(FalEndpoint endpoint, FalRequestRef request, boolean withLogs) {
        String logs = withLogs ? "1" : "0";
        URI built = requestUrl(endpoint, request, "/status?logs=" + logs);
        URI candidate = sameOrigin(endpoint, request.statusUrl(), built);
        if (candidate == built) {
            return built;
        }
        try {
            return UriComponentsBuilder.fromUri(candidate).replaceQueryParam("logs", logs).build(true).toUri();
        }
        catch (IllegalArgumentException ex) {
            return built;
        }
    }
}
