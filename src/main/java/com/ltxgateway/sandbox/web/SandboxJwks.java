package com.ltxgateway.sandbox.web;

import com.ltxgateway.sandbox.SandboxWebhookKeys;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Where the simulator publishes the key its webhooks are signed with, as fal publishes its own. */
@RestController
@ConditionalOnBooleanProperty(name = "gateway.sandbox.enabled", matchIfMissing = true)
class SandboxJwks {

    static final String PATH = "/sandbox/.well-known/jwks.json";

    private final SandboxWebhookKeys keys;

    SandboxJwks(SandboxWebhookKeys keys) {
        this.keys = keys;
    }

    @GetMapping(PATH)
    Map<String, Object> jwks() {
        return keys.jwks();
    }
}
