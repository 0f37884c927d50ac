package com.ltxgateway.training;

import io.swagger.v3.oas.models.OpenAPI;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/** Shows the input contract in the OpenAPI document as the gateway checks it, defaults and all. */
@Component
class TrainingApiDocumentation implements OpenApiCustomizer {

    private final JsonContract contract;

    TrainingApiDocumentation(JsonContract contract) {
        this.contract = contract;
    }

    @Override
    public void customise(OpenAPI openApi) {
        contract.document(openApi, NewTraining.class);
    }
}
