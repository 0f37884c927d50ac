package com.ltxgateway;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param publicUrl the base URL fal and browsers reach this gateway at ({@code GATEWAY_PUBLIC_URL}): fal's
 * webhooks and the sandbox's file links are built on it
 */
@ConfigurationProperties("gateway")
public record GatewayProperties(@DefaultValue("http://localhost:8080") URI publicUrl) {

    /** {@code path} must start with a slash. */
    public URI publicUrl(String path) {
        String base = publicUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    /** Whether {@code url} is on the gateway's public origin (scheme, host and port), with no user info. */
    public boolean isPublic(URI url) {
        return sameOrigin(url, publicUrl);
    }

    /** Same scheme, host and port (the scheme's default when none is given), and no user info in {@code url}. */
    public static boolean sameOrigin(URI url, URI base) {
        return url.getRawUserInfo() == null && base.getScheme().equalsIgnoreCase(String.valueOf(url.getScheme()))
                && base.getHost().equalsIgnoreCase(String.valueOf(url.getHost())) && port(base) == port(url);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
