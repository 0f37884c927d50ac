package com.ltxgateway.artifact.web;

import com.ltxgateway.access.Caller;
import com.ltxgateway.artifact.OutputPins;
import com.ltxgateway.training.TrainingView;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Trainings")
class OutputPinController {

    private final OutputPins pins;

    OutputPinController(OutputPins pins) {
        this.pins = pins;
    }

    @PutMapping("/v1/trainings/{id}/pin")
    @Operation(summary = "Pin a succeeded training's outputs: the gateway's copies are kept past its retention",
            description = "Idempotent and audited; the answer is the training, with pinned true. 409 for a training that"
                    + " has not succeeded, 404 for another team's.")
    TrainingView pin(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return pins.pin(caller, id);
    }

    @DeleteMapping("/v1/trainings/{id}/pin")
    @Operation(summary = "Unpin a training's outputs: the retention applies to them again",
            description = "Idempotent and audited; the answer is the training, with pinned false.")
    TrainingView unpin(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return pins.unpin(caller, id);
    }
}
