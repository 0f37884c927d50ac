package com.ltxgateway.tracking;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalJwks;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.fal.FalWebhookKeys;
import com.ltxgateway.sandbox.SandboxEndpoint;
import com.ltxgateway.sandbox.SandboxWebhookKeys;

import org.springframework.stereotype.Component;

/**
 * Live trainings go to fal with the company key; sandbox trainings go to the simulator, through the same adapter.
 * Webhooks come back from the one a training went to, signed with its keys.
 */
@Component
class FalEndpoints {

    static final String WEBHOOK_PATH = "/fal/webhooks/";

    private final FalProperties fal;
    private final SandboxEndpoint sandbox;
    private final GatewayProperties gateway;
    private final TrackerProperties tracker;
    private final FalJwks falKeys;
    private final SandboxWebhookKeys sandboxKeys;

    FalEndpoints(FalProperties fal, SandboxEndpoint sandbox, GatewayProperties gateway, TrackerProperties tracker,
            FalJwks falKeys, SandboxWebhookKeys sandboxKeys) {
        this.fal = fal;
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.tracker = tracker;
        this.falKeys = falKeys;
        this.sandboxKeys = sandboxKeys;
    }

    /** Empty for a live training while no fal key is configured. */
    Optional<FalEndpoint> forMode(String mode) {
        if (isSandbox(mode)) {
            return Optional.of(sandbox.endpoint());
        }
        return fal.hasKey() ? Optional.of(fal.liveEndpoint()) : Optional.empty();
    }

    /** fal calls the public URL; the simulator calls the gateway it is part of. */
    URI webhookUrl(String mode, String trainingId) {
        String path = WEBHOOK_PATH + trainingId;
        return isSandbox(mode) ? sandbox.gatewayUrl(path) : gateway.publicUrl(path);
    }

    FalWebhookKeys webhookKeys(String mode) {
        return isSandbox(mode) ? sandboxKeys : falKeys;
    }

    /**
     * Whether a completion will be reported by webhook, so polls can slow down to a backstop once a run has started.
     * The simulator always calls back. fal can only when it reaches {@code gateway.public-url}, which a loopback
     * address never is; {@code gateway.tracker.webhooks-expected} overrides that guess.
     */
    boolean webhooksExpected(String mode) {
        if (isSandbox(mode)) {
            return true;
        }
        return tracker.webhooksExpected() != null ? tracker.webhooksExpected() : !isLoopback(gateway.publicUrl());
    }

    private static boolean isSandbox(String mode) {
        return "sandbox".equals(mode);
    }

    private static boolean isLoopback(URI url) {
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}
