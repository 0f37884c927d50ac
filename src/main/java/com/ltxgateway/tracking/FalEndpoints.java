package com.ltxgateway.tracking;

import java.util.Optional;

import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.sandbox.SandboxEndpoint;

import org.springframework.stereotype.Component;

/** Live trainings go to fal with the company key; sandbox trainings go to the simulator, through the same adapter. */
@Component
class FalEndpoints {

    private final FalProperties fal;
    private final SandboxEndpoint sandbox;

    FalEndpoints(FalProperties fal, SandboxEndpoint sandbox) {
        this.fal = fal;
        this.sandbox = sandbox;
    }

    /** Empty for a live training while no fal key is configured. */
    Optional<FalEndpoint> forMode(String mode) {
        if ("sandbox".equals(mode)) {
            return Optional.of(sandbox.endpoint());
        }
        return fal.hasKey() ? Optional.of(fal.liveEndpoint()) : Optional.empty();
    }
}
