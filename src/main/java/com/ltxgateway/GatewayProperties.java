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
}
