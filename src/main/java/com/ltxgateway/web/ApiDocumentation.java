package com.ltxgateway.web;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;

/**
 * The REST API's OpenAPI document at {@code /v3/api-docs}. A copy is checked in as {@code docs/openapi.json}, so
 * it must come out the same on every instance and every run: keys are sorted and the server is relative.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String API_KEY_SCHEME = "api_key";
    static final String PROBLEM_SCHEMA = "Problem";

    @Bean
    OpenAPI gatewayOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("LTX Trainer Gateway")
                        .version("v1")
                        .description("Train LTX-2.3 keyframe-interpolation LoRAs on fal. Errors are RFC 9457 "
                                + "application/problem+json documents."))
                .servers(List.of(new Server().url("/").description("This gateway")))
                .components(new Components().addSecuritySchemes(API_KEY_SCHEME, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("A team or admin API key: Authorization: Bearer ltx_…")))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME));
    }

    /**
     * Every operation can fail with a problem document; which types it may answer is listed in the README and in
     * {@link com.ltxgateway.ProblemType}, whose URIs are the {@code type} values.
     */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            openApi.getComponents().addSchemas(PROBLEM_SCHEMA, new ObjectSchema()
                    .description("An RFC 9457 problem")
                    .addProperty("type", new StringSchema().format("uri").example("https://ltx-gateway.dev/problems/validation-error"))
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema())
                    .addProperty("errors", new ArraySchema()
                            .description("Every invalid field, for validation errors")
                            .items(new ObjectSchema()
                                    .addProperty("field", new StringSchema().example("input.number_of_frames"))
                                    .addProperty("message", new StringSchema())))
                    .required(List.of("type", "title", "status")));
            ApiResponse problem = new ApiResponse()
                    .description("A problem: validation error, unauthenticated, not found, conflict, ...")
                    .content(new Content().addMediaType(MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                            new io.swagger.v3.oas.models.media.MediaType().schema(new Schema<>().$ref(PROBLEM_SCHEMA))));
            openApi.getPaths().values().forEach(path -> path.readOperations()
                    .forEach(operation -> operation.getResponses().addApiResponse("default", problem)));
        };
    }

    /**
     * Schemas are read by swagger-core's own Jackson 2 mapper, which knows nothing of the application's Jackson 3
     * naming strategy; without this they would show camelCase names the API never sends.
     */
    @Bean
    ModelResolver snakeCaseModels() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
