package com.ltxgateway.fal;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.net.OutboundUrlProperties;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage adapter against the fake fal's storage, which speaks fal's JS client's protocol. */
class WebClientFalStorageTests {

    private static final String KEY = "fal-storage-key-0123456789";

    private final FakeFalServer fal = FakeFalServer.start(KEY);
    private WebClientFalStorage storage;

    @AfterEach
    void stop() {
        if (storage != null) {
            storage.close();
        }
        fal.close();
    }

    @Test
    void aSmallFileGoesInOnePutWithoutTheKeyAndComesBackAtItsFileUrl() {
        byte[] bytes = bytes(20_000);

        FalOutcome<URI> outcome = storage(KEY).upload("clips.zip", "application/zip", bytes.length, offset -> stream(bytes, offset));

        URI fileUrl = ((FalOutcome.Success<URI>) outcome).value();
        FakeFalStorage.Upload upload = fal.storage().uploads().getFirst();
        assertThat(upload.fileUrl()).isEqualTo(fileUrl);
        assertThat(upload.bytes()).isEqualTo(bytes);
        assertThat(upload.parts()).isEqualTo(1);
        assertThat(upload.fileName()).isEqualTo("clips.zip");
        assertThat(upload.keySentToUploadUrl()).isFalse();
    }

    @Test
    void aLargeFileGoesInPartsReadFromTheirOffsetsAndIsCompletedInOrder() {
        byte[] bytes = bytes(100_000);

        FalOutcome<URI> outcome = storage(KEY).upload("big.zip", "application/zip", bytes.length, offset -> stream(bytes, offset));

        assertThat(outcome).isInstanceOf(FalOutcome.Success.class);
        FakeFalStorage.Upload upload = fal.storage().uploads().getFirst();
        assertThat(upload.parts()).isEqualTo(7);
        assertThat(upload.bytes()).isEqualTo(bytes);
        assertThat(upload.keySentToUploadUrl()).isFalse();
    }

    @Test
    void aRefusedKeyOrAnUnavailableStorageIsNoSuccessAndUploadsNothing() {
        byte[] bytes = bytes(1_000);

        assertThat(storage("wrong-key").upload("a.zip", "application/zip", bytes.length, offset -> stream(bytes, offset)))
                .isInstanceOfSatisfying(FalOutcome.Unavailable.class, unavailable -> assertThat(unavailable.keyRefused()).isTrue());
        fal.storage().failInitiates(1);
        assertThat(storage(KEY).upload("a.zip", "application/zip", bytes.length, offset -> stream(bytes, offset)))
                .isInstanceOfSatisfying(FalOutcome.Unavailable.class, unavailable -> assertThat(unavailable.httpStatus()).isEqualTo(503));
        assertThat(fal.storage().uploads()).isEmpty();
    }

    @Test
    void aContentShorterThanItsSizeFailsTheUploadInsteadOfSendingLess() {
        byte[] bytes = bytes(1_000);

        FalOutcome<URI> outcome = storage(KEY).upload("a.zip", "application/zip", 2_000, offset -> stream(bytes, offset));

        assertThat(outcome).isInstanceOf(FalOutcome.Unavailable.class);
        assertThat(fal.storage().uploads()).isEmpty();
    }

    private WebClientFalStorage storage(String key) {
        if (storage != null) {
            storage.close();
        }
        FalProperties properties = new FalProperties(key, fal.queueUrl(), null, FakeFalServer.ENDPOINT_ID, Duration.ofSeconds(1),
                Duration.ofSeconds(5), DataSize.ofKilobytes(64), null, null, null, null, null, null, null, fal.queueUrl(),
                DataSize.ofKilobytes(48), DataSize.ofKilobytes(16), 16);
        storage = new WebClientFalStorage(WebClient.builder(), properties,
                new OutboundUrlPolicy(new OutboundUrlProperties(List.of("127.0.0.1"))), new SimpleMeterRegistry());
        return storage;
    }

    private static ByteArrayInputStream stream(byte[] bytes, long offset) {
        return new ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset);
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
