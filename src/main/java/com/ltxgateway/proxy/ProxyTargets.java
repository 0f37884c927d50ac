package com.ltxgateway.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ltxgateway.proxy.ProxyTarget.Cancel;
import com.ltxgateway.proxy.ProxyTarget.Result;
import com.ltxgateway.proxy.ProxyTarget.Status;
import com.ltxgateway.proxy.ProxyTarget.StatusStream;
import com.ltxgateway.proxy.ProxyTarget.StorageInitiate;
import com.ltxgateway.proxy.ProxyTarget.Submit;

import org.jspecify.annotations.Nullable;

/**
 * Reads {@code x-fal-target-url} for the one endpoint the gateway trains with. fal's queue addresses a request's
 * status, result and cancel by the endpoint's owner and app only ({@code fal-ai/ltx23-trainer-v2}), its submit by the
 * whole id ({@code fal-ai/ltx23-trainer-v2/interpolate}).
 */
final class ProxyTargets {

    private final String endpointId;
    private final String app;
    private final Pattern requests;

    ProxyTargets(String endpointId) {
        this.endpointId = endpointId;
        int owner = endpointId.indexOf('/');
        int app = endpointId.indexOf('/', owner + 1);
        this.app = app < 0 ? endpointId : endpointId.substring(0, app);
        this.requests = Pattern.compile("/" + Pattern.quote(this.app) + "/requests/([A-Za-z0-9_-]{1,64})(/status(/stream)?|/cancel)?");
    }

    /** The owner and app, such as {@code fal-ai/ltx23-trainer-v2}. */
    String app() {
        return app;
    }

    /** @throws ProxyTargetRefused naming what is not served */
    ProxyTarget parse(@Nullable String header, String method) {
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
        if (on(target, ProxyTarget.STORAGE_HOST)
                && (path.equals("/storage/upload/initiate") || path.equals("/storage/upload/initiate-multipart"))
                && "fal-cdn-v3".equals(query(target, "storage_type"))) {
            requireMethod(method, "POST", "an upload's initiate");
            return new StorageInitiate(path.endsWith("-multipart"));
        }
        if (!on(target, ProxyTarget.QUEUE_HOST)) {
            throw new ProxyTargetRefused("x-fal-target-url must be fal's queue (https://" + ProxyTarget.QUEUE_HOST + "/" + endpointId
                    + "); this gateway does not serve " + safe(target.getScheme() + "://" + target.getHost()));
        }
        if (path.equals("/" + endpointId)) {
            requireMethod(method, "POST", "a submit");
            return new Submit(query(target, "fal_webhook"));
        }
        Matcher request = requests.matcher(path);
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

    private static boolean on(URI target, String host) {
        return "https".equals(target.getScheme()) && host.equals(target.getHost()) && target.getPort() == -1;
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
