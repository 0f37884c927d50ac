package com.ltxgateway.tracking.web;

import com.ltxgateway.tracking.KeyModeRouting;
import com.ltxgateway.web.CallbackPaths;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class FalWebhookCallbacks {

    /** fal's deliveries report on trainings: they are the tracker's input, not callers it should step aside for. */
    @Bean
    CallbackPaths falWebhookPaths() {
        return new CallbackPaths(KeyModeRouting.WEBHOOK_PATH);
    }
}
