package com.ltxgateway.training.web;

import com.ltxgateway.training.TrainingAdministration;
import com.ltxgateway.training.TrainingView;
import com.ltxgateway.LogFields;
import com.ltxgateway.access.Caller;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.slf4j.MDC;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: trainings", description = "Decisions about trainings that only an admin can take; admin keys only.")
@RequestMapping("/v1/admin/trainings")
class TrainingAdminController {

    private final TrainingAdministration administration;

    TrainingAdminController(TrainingAdministration administration) {
        this.administration = administration;
    }

    @PostMapping("/{id}/resubmit")
    @Operation(summary = "Submit a training again whose earlier submit is unconfirmed, on the admin's word that fal does not hold it",
            description = "Only for a pending training with submit_unconfirmed_at set (409 otherwise). Should fal hold the earlier"
                    + " submit after all, that request becomes a duplicate and is canceled; if it completed first, it is billed."
                    + " Audited as training.resubmitted.")
    @ApiResponse(responseCode = "202", description = "The training is submitted again",
            content = @Content(schema = @Schema(implementation = TrainingView.class)))
    ResponseEntity<TrainingView> resubmit(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return ResponseEntity.accepted().body(administration.resubmit(caller.actor(), id));
        }
    }
}
