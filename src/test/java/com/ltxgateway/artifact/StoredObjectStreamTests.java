package com.ltxgateway.artifact;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.StreamUtils;

import static org.assertj.core.api.Assertions.assertThat;

class StoredObjectStreamTests {

    private static final ArtifactKey KEY = ArtifactKey.of("trn_stream", "lora_file");

    @TempDir
    Path root;

    private final List<Long> opens = new ArrayList<>();
    private ArtifactStore store;

    @BeforeEach
    void storeTenBytes() throws Exception {
        FilesystemArtifactStore files = new FilesystemArtifactStore(root.resolve("store"));
        files.put(KEY, Files.write(root.resolve("in.bin"), "0123456789".getBytes()), "application/octet-stream");
        store = new RecordingStore(files);
    }

    @Test
    void aRangeAsSpringCopiesItIsOneReadFromTheRangesStart() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new StoredObjectStream(store, KEY, 10)) {
            StreamUtils.copyRange(in, out, 6, 8);
        }

        assertThat(out.toString()).isEqualTo("678");
        assertThat(opens).containsExactly(6L);
    }

    @Test
    void skipsAfterTheFirstReadGoToTheOpenedStream() throws Exception {
        try (InputStream in = new StoredObjectStream(store, KEY, 10)) {
            assertThat(in.skip(2)).isEqualTo(2);
            assertThat(in.read()).isEqualTo('2');
            assertThat(in.skip(3)).isEqualTo(3);
            assertThat(new String(in.readAllBytes())).isEqualTo("6789");
        }
        assertThat(opens).containsExactly(2L);
    }

    @Test
    void skippingToTheEndReadsNothingWithoutOpeningTheStore() throws Exception {
        try (InputStream in = new StoredObjectStream(store, KEY, 10)) {
            assertThat(in.skip(25)).isEqualTo(10);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(opens).isEmpty();
    }

    @Test
    void closingAStreamNeverReadDoesNotOpenTheStore() throws Exception {
        new StoredObjectStream(store, KEY, 10).close();

        assertThat(opens).isEmpty();
    }

    /** A filesystem store that notes the offset of every open. */
    private final class RecordingStore implements ArtifactStore {

        private final ArtifactStore delegate;

        RecordingStore(ArtifactStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public void put(ArtifactKey key, Path file, String contentType) {
            delegate.put(key, file, contentType);
        }

        @Override
        public Optional<Long> size(ArtifactKey key) {
            return delegate.size(key);
        }

        @Override
        public InputStream open(ArtifactKey key, long offset) {
            opens.add(offset);
            return delegate.open(key, offset);
        }

        @Override
        public Optional<URI> downloadLink(ArtifactKey key, String fileName, String contentType, Duration validFor) {
            return delegate.downloadLink(key, fileName, contentType, validFor);
        }

        @Override
        public void delete(ArtifactKey key) {
            delegate.delete(key);
        }
    }
}
