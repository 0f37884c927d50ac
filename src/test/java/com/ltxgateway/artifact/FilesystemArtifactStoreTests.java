package com.ltxgateway.artifact;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FilesystemArtifactStoreTests extends ArtifactStoreContract {

    @TempDir
    Path root;

    @Override
    ArtifactStore store() {
        return new FilesystemArtifactStore(root);
    }

    @Test
    void eachKeyIsAFileUnderTheRootAndNoPartialFileIsLeft() throws Exception {
        store().put(ArtifactKey.of("trn_fs", "lora_file"), Files.write(files.resolve("in.bin"), new byte[] { 42 }), "application/octet-stream");

        assertThat(Files.readAllBytes(root.resolve("trn_fs/lora_file"))).containsExactly(42);
        try (var entries = Files.list(root.resolve("trn_fs"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("lora_file");
        }
    }
}
