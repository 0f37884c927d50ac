package com.ltxgateway.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every artifact store does, run against each implementation on a real backend. */
abstract class ArtifactStoreContract {

    @TempDir
    Path files;

    abstract ArtifactStore store();

    @Test
    void storesAFileAndReadsItBackWholeOrFromAnOffset() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_contract_" + System.nanoTime(), "lora_file");
        byte[] bytes = "safetensors bytes of a LoRA".getBytes();
        store().put(key, file(bytes), "application/octet-stream");

        assertThat(store().size(key)).contains((long) bytes.length);
        try (InputStream whole = store().open(key, 0)) {
            assertThat(whole.readAllBytes()).isEqualTo(bytes);
        }
        try (InputStream tail = store().open(key, 18)) {
            assertThat(new String(tail.readAllBytes())).isEqualTo("of a LoRA");
        }
    }

    @Test
    void aLargeFileComesBackByteForByte() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_contract_" + System.nanoTime(), "lora_file");
        Path large = files.resolve("large.bin");
        // 24 MiB: more than one part of any stream buffer, written and digested without holding it in memory.
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        Random random = new Random(7);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(large)) {
            for (int i = 0; i < 24; i++) {
                random.nextBytes(chunk);
                written.update(chunk);
                out.write(chunk);
            }
        }

        store().put(key, large, "application/octet-stream");

        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(store().open(key, 0), read)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
        assertThat(store().size(key)).contains(24L << 20);
    }

    @Test
    void aSecondPutReplacesTheFirst() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_contract_" + System.nanoTime(), "config_file");
        store().put(key, file("{\"first\":true}".getBytes()), "application/json");
        store().put(key, file("{\"second\":true}".getBytes()), "application/json");

        try (InputStream in = store().open(key, 0)) {
            assertThat(new String(in.readAllBytes())).isEqualTo("{\"second\":true}");
        }
    }

    @Test
    void nothingStoredIsMissingAndDeletingItTwiceIsFine() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_contract_" + System.nanoTime(), "video");
        assertThat(store().size(key)).isEmpty();
        assertThatThrownBy(() -> store().open(key, 0)).isInstanceOf(ArtifactMissing.class);

        store().put(key, file(new byte[] { 1, 2, 3 }), "video/mp4");
        store().delete(key);
        store().delete(key);

        assertThat(store().size(key)).isEmpty();
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(files, "artifact", ".bin"), bytes);
    }
}
