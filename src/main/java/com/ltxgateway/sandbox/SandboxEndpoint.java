package com.ltxgateway.sandbox;

import java.net.URI;

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

    private final SandboxProperties properties;
    private final FalProperties fal;
    private final Environment environment;

    SandboxEndpoint(SandboxProperties properties, FalProperties fal, Environment environment) {
        this.properties = properties;
        this.fal = fal;
        this.environment = environment;
    }

    public FalEndpoint endpoint() {
        URI queueUrl = properties.queueUrl() != null ? properties.queueUrl()
                : URI.create("http://127.0.0.1:" + environment.getRequiredProperty("local.server.port") + SandboxQueueController.BASE_PATH);
        return new FalEndpoint(queueUrl, fal.endpointId(), properties.key());
    }
}
