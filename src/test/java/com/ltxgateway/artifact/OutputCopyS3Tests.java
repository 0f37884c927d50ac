package com.ltxgateway.artifact;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.S3MockServer;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway on the S3 store (S3Mock, addressed by path as MinIO wants), configured for presigned downloads: copies
 * land in the bucket with their digest, and a download is a redirect to a short-lived URL the bucket serves itself.
 */
class OutputCopyS3Tests extends SteppedGatewayTestSupport {

    private static final String BUCKET = "gateway-outputs";
    /** Started once for the context, which the test framework keeps for the run; stopped with the JVM. */
    private static final S3MockServer S3 = S3MockServer.start(BUCKET);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(S3::close));
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void s3Store(DynamicPropertyRegistry registry) {
        registry.add("gateway.artifacts.store", () -> "s3");
        registry.add("gateway.artifacts.s3.bucket", () -> BUCKET);
        registry.add("gateway.artifacts.s3.endpoint", () -> S3.endpoint().toString());
        registry.add("gateway.artifacts.s3.path-style", () -> "true");
        registry.add("gateway.artifacts.s3.presigned-downloads", () -> "5m");
        // The AWS default chain reads these system properties, as it reads the environment in a deployment.
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
    }

    @Autowired
    ArtifactStore store;

    @Test
    void outputsAreStoredInTheBucketAndDownloadedFromItThroughAPresignedRedirect() throws Exception {
        assertThat(store).isInstanceOf(S3ArtifactStore.class);
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/s3/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();

        JsonNode lora = training(team.key(), id).get("output").get("lora_file");
        byte[] bytes = FakeFalServer.fileBytes(training(team.key(), id).get("fal_request_id").asString(),
                "pytorch_lora_weights.safetensors", 262_144);
        assertThat(lora.get("stored").asBoolean()).isTrue();
        assertThat(lora.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(store.size(ArtifactKey.of(id, "lora_file"))).contains(262_144L);

        HttpResponse<Void> redirect = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/trainings/" + id + "/files/lora_file"))
                .header("Authorization", "Bearer " + team.key()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(redirect.statusCode()).isEqualTo(307);
        assertThat(redirect.headers().firstValue("Cache-Control")).contains("no-store");
        URI link = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertThat(link.toString()).startsWith(S3.endpoint() + "/" + BUCKET + "/" + id + "/lora_file?").contains("X-Amz-Signature=");

        HttpResponse<byte[]> whole = HTTP.send(HttpRequest.newBuilder(link).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(bytes);
        assertThat(whole.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                disposition -> assertThat(disposition).contains("pytorch_lora_weights.safetensors"));
        HttpResponse<byte[]> range = HTTP.send(HttpRequest.newBuilder(link).header("Range", "bytes=200000-200099").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(bytes, 200_000, 200_100));

        HttpResponse<Void> otherTeam = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/trainings/" + id + "/files/lora_file"))
                .header("Authorization", "Bearer " + api.newTeam(ADMIN_KEY, "live").key()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(otherTeam.statusCode()).as("no link for another team").isEqualTo(404);
    }
}
