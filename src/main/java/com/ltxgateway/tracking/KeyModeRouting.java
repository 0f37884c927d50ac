package com.ltxgateway.tracking;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalJwks;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.fal.FalWebhookKeys;
import com.ltxgateway.sandbox.SandboxEndpoint;
import com.ltxgateway.sandbox.SandboxWebhookKeys;
import com.ltxgateway.training.TrainingDestinations;

import org.springframework.stereotype.Component;

/**
 * Live trainings go to fal with the company key; sandbox trainings go to the simulator, through the same adapter.
 * Webhooks come back from the one a training went to, signed with its keys for its user id, at a URL that carries
 * the training's token.
 */
@Component
public class KeyModeRouting implements TrainingDestinations {

    public static final String WEBHOOK_PATH = "/fal/webhooks/";

    private final FalProperties fal;
    private final SandboxEndpoint sandbox;
    private final GatewayProperties gateway;
    private final TrackerProperties tracker;
    private final FalJwks falKeys;
    private final SandboxWebhookKeys sandboxKeys;
    private final FalWebhookTokens tokens;

    KeyModeRouting(FalProperties fal, SandboxEndpoint sandbox, GatewayProperties gateway, TrackerProperties tracker,
            FalJwks falKeys, SandboxWebhookKeys sandboxKeys, FalWebhookTokens tokens) {
        this.fal = fal;
        this.sandbox = sandbox;
        this.gateway = gateway;
        this.tracker = tracker;
        this.falKeys = falKeys;
        this.sandboxKeys = sandboxKeys;
        this.tokens = tokens;
    }

    /** Empty for a live training while no fal key is configured, and for a sandbox one while the sandbox is off. */
    public Optional<FalEndpoint> forMode(String mode) {
        if (isSandbox(mode)) {
            return sandbox.enabled() ? Optional.of(sandbox.endpoint()) : Optional.empty();
        }
        return fal.hasKey() ? Optional.of(fal.liveEndpoint()) : Optional.empty();
    }

    @Override
    public boolean available(KeyMode mode) {
        return forMode(mode.wireName()).isPresent();
    }

    /**
     * fal calls the public URL; the simulator calls the gateway it is part of. Null for a live training while no fal
     * user id is configured: the receiver could not tell the company's webhooks from anyone else's, so none is asked for.
     */
    URI webhookUrl(String mode, String trainingId) {
        String path = WEBHOOK_PATH + trainingId + "/" + tokens.tokenFor(trainingId);
        if (isSandbox(mode)) {
            return sandbox.gatewayUrl(path);
        }
        return fal.hasUserId() ? gateway.publicUrl(path) : null;
    }

    FalWebhookKeys webhookKeys(String mode) {
        return isSandbox(mode) ? sandboxKeys : falKeys;
    }

    /** The fal user a training's webhooks must be signed for; null when none is configured (every delivery is refused). */
    String webhookUserId(String mode) {
        return isSandbox(mode) ? SandboxEndpoint.WEBHOOK_USER_ID : fal.userId();
    }

    boolean tokenMatches(String trainingId, String token) {
        return tokens.matches(trainingId, token);
    }

    /**
     * Whether a completion will be reported by webhook, so polls can slow down to a backstop once a run has started.
     * The simulator always calls back. fal can only when the gateway asks for webhooks (a fal user id is configured)
     * and reaches {@code gateway.public-url}, which a loopback address never is; {@code gateway.tracker.webhooks-expected}
     * overrides that guess.
     */
    boolean webhooksExpected(String mode) {
        if (isSandbox(mode)) {
            return true;
        }
        if (!fal.hasUserId()) {
            return false;
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
