package com.ltxgateway.sandbox;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalProperties;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Where sandbox trainings are sent: the simulator of this very instance unless a URL is configured. Every instance
 * can answer for every simulated request, because their state lives in the database.
 */
@Component
public class SandboxEndpoint {

    /** The fal user id the simulator signs its webhooks for. */
    public static final String WEBHOOK_USER_ID = "sandbox";
    /** Where the simulator answers fal's queue protocol. */
    public static final String QUEUE_PATH = "/sandbox/queue";

    private final SandboxProperties properties;
    private final FalProperties fal;
    private final GatewayProperties gateway;
    private final Environment environment;
    private final String key;

    SandboxEndpoint(SandboxProperties properties, FalProperties fal, GatewayProperties gateway, Environment environment) {
        this.properties = properties;
        this.fal = fal;
        this.gateway = gateway;
        this.environment = environment;
        if (properties.key() != null && !properties.key().isBlank()) {
            this.key = properties.key();
        }
        else if (properties.queueUrl() != null) {
            throw new IllegalStateException("gateway.sandbox.key is required when gateway.sandbox.queue-url points at another simulator");
        }
        else {
            // Each instance calls its own simulator, so a key no one else knows is all it takes.
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            this.key = HexFormat.of().formatHex(random);
        }
    }

    public boolean enabled() {
        return properties.enabled();
    }

    public FalEndpoint endpoint() {
        URI queueUrl = properties.queueUrl() != null ? properties.queueUrl() : URI.create(loopback() + QUEUE_PATH);
        return new FalEndpoint(queueUrl, fal.endpointId(), key);
    }

    /** Whether a caller of the simulator sent the key it expects, in fal's {@code Authorization: Key} form. */
    public boolean authorizes(String authorization) {
        return authorization != null && MessageDigest.isEqual(("Key " + key).getBytes(StandardCharsets.UTF_8),
                authorization.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The gateway as the simulator calls it back: on loopback when the simulator is this instance (every replica
     * listens on the same port, so whichever delivers reaches a gateway), else at its public URL.
     */
    public URI gatewayUrl(String path) {
        return properties.queueUrl() != null ? gateway.publicUrl(path) : URI.create(loopback() + path);
    }

    /** Whether {@code url} points at this gateway, at its public URL or at the loopback address the simulator uses. */
    public boolean isGatewayUrl(String url) {
        URI parsed;
        try {
            parsed = new URI(url);
        }
        catch (URISyntaxException e) {
            return false;
        }
        return gateway.isPublic(parsed) || GatewayProperties.sameOrigin(parsed, URI.create(loopback()));
    }

    private String loopback() {
        return "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port");
    }
}
