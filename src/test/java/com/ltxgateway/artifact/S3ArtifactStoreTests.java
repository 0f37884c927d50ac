package com.ltxgateway.artifact;

import java.nio.file.Files;

import com.ltxgateway.support.S3MockServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The S3 store against a real S3-compatible server (S3Mock), addressed by path as MinIO and most such servers want. */
class S3ArtifactStoreTests extends ArtifactStoreContract {

    private static final String BUCKET = "gateway-artifacts";
    private static S3MockServer server;
    private static S3ArtifactStore store;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.start(BUCKET);
        store = new S3ArtifactStore(S3ArtifactStore.client(server.endpoint(), "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))), BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    ArtifactStore store() {
        return store;
    }

    @Test
    void aStoreOnABucketThatDoesNotExistFailsAsTheStoresFault() throws Exception {
        S3ArtifactStore missing = new S3ArtifactStore(S3ArtifactStore.client(server.endpoint(), "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))), "no-such-bucket");

        assertThat(catchThrowable(() -> missing.put(ArtifactKey.of("trn_x", "lora_file"),
                Files.write(files.resolve("x.bin"), new byte[] { 1 }), "application/octet-stream")))
                .isInstanceOf(ArtifactStoreFailed.class).hasMessageContaining("no-such-bucket");
        missing.close();
    }
}
