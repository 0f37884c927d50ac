package com.ltxgateway.tracking.web;

import com.ltxgateway.tracking.FalWebhooks;
import com.ltxgateway.tracking.KeyModeRouting;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Where fal (and the simulator, for sandbox trainings) reports a completed request. */
@RestController
class FalWebhookReceiver {

    private final FalWebhooks webhooks;

    FalWebhookReceiver(FalWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    /**
     * The body arrives as bytes, capped like every request body: the signature covers them exactly as sent. The path
     * without a token is the one earlier releases handed to fal; it is refused like a wrong token.
     */
    @PostMapping({ KeyModeRouting.WEBHOOK_PATH + "{trainingId}", KeyModeRouting.WEBHOOK_PATH + "{trainingId}/{token}" })
    ResponseEntity<Void> receive(@PathVariable String trainingId, @PathVariable(required = false) String token,
            @RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
        webhooks.receive(trainingId, token, headers::getFirst, body == null ? new byte[0] : body);
        return ResponseEntity.ok().build();
    }
}
