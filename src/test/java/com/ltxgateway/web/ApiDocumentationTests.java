package com.ltxgateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openapitools.codegen.CodegenConstants;
import org.openapitools.codegen.DefaultGenerator;
import org.openapitools.codegen.config.CodegenConfigurator;
import org.openapitools.codegen.config.GlobalSettings;
import org.openapitools.codegen.validations.oas.OpenApiEvaluator;
import org.openapitools.codegen.validations.oas.RuleConfiguration;

/**
 * The served OpenAPI document describes the REST API, and the copy in {@code docs/openapi.json} is the same
 * document: a change to the API shows in review as a change of that file.
 */
class ApiDocumentationTests extends GatewayTestSupport {

    private static final Path CHECKED_IN = Path.of("docs/openapi.json");
    private static final JsonMapper PRETTY = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    @Test
    void describesTheRestApiOnly() {
        Response served = api.get("/v3/api-docs", null);

        assertThat(served.status()).isEqualTo(200);
        JsonNode document = served.json();
        assertThat(document.get("paths").propertyNames())
                .contains("/v1/trainings", "/v1/trainings/{id}", "/v1/admin/teams")
                .allMatch(path -> path.startsWith("/v1/"));
        assertThat(document.at("/components/securitySchemes/api_key/scheme").asString()).isEqualTo("bearer");
        assertThat(document.at("/components/schemas/TrainingView/properties").propertyNames())
                .contains("estimated_cost_usd", "fal_request_id", "cancel_requested_at")
                .noneMatch(name -> name.chars().anyMatch(Character::isUpperCase));
        assertThat(document.at("/paths/~1v1~1trainings~1{id}/get/responses/default/content/application~1problem+json/schema/$ref")
                .asString()).isEqualTo("#/components/schemas/Problem");
        assertThat(document.at("/paths/~1v1~1trainings~1{id}/get/tags/0").asString()).isEqualTo("Trainings");
    }

    @Test
    void matchesTheCheckedInCopy() throws IOException {
        String served = PRETTY.writeValueAsString(api.get("/v3/api-docs", null).json()) + "\n";
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(CHECKED_IN, served);
        }
        String checkedIn = Files.exists(CHECKED_IN) ? Files.readString(CHECKED_IN) : "";
        assertThat(served)
                .as("The served OpenAPI document differs from %s. If the API change is intended, regenerate the file with "
                        + "./mvnw test -Dtest=ApiDocumentationTests -Dopenapi.write=true and commit it.", CHECKED_IN)
                .isEqualTo(checkedIn);
    }

    /**
     * What a team does with the document: {@code openapi-generator validate} it, then generate a client, here the
     * {@code java} generator's models, whose training input must have typed fields rather than a free-form map.
     */
    @Test
    void validatesAndGeneratesATypedClient(@TempDir Path output) throws IOException {
        Path document = output.resolve("openapi.json");
        Files.writeString(document, api.get("/v3/api-docs", null).text());

        // As the validate command does it.
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIParser().readLocation(document.toString(), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(new OpenApiEvaluator(new RuleConfiguration()).validate(parsed.getOpenAPI()).getErrors()).isEmpty();

        CodegenConfigurator client = new CodegenConfigurator()
                .setGeneratorName("java")
                .setInputSpec(document.toString())
                .setOutputDir(output.resolve("client").toString())
                .addGlobalProperty(CodegenConstants.MODELS, "TrainingInput,ValidationSample,NewTraining")
                .addGlobalProperty(CodegenConstants.MODEL_DOCS, "false")
                .addGlobalProperty(CodegenConstants.MODEL_TESTS, "false");
        try {
            new DefaultGenerator().opts(client.toClientOptInput()).generate();
        }
        finally {
            GlobalSettings.reset();
        }

        Path models = output.resolve("client/src/main/java/org/openapitools/client/model");
        assertThat(Files.readString(models.resolve("TrainingInput.java")))
                .contains("private URI trainingDataUrl;")
                .contains("private RankEnum rank = RankEnum.NUMBER_32;")
                .contains("NUMBER_128(128)")
                .contains("private Integer numberOfSteps = 2000;")
                .contains("private BigDecimal learningRate = ")
                .contains("private Integer numberOfFrames = 89;")
                .contains("private ResolutionEnum resolution = ResolutionEnum.MEDIUM;")
                .contains("private BigDecimal stgScale = ")
                .contains("private Boolean includeMiddleKeyframe = false;")
                .contains("private List<ValidationSample> validation = new ArrayList<>();");
        assertThat(Files.readString(models.resolve("ValidationSample.java")))
                .contains("private String prompt;")
                .contains("private URI middleImageUrl;");
        assertThat(Files.readString(models.resolve("NewTraining.java")))
                .contains("private TrainingInput input;")
                .contains("private Map<String, String> metadata");
    }
}
