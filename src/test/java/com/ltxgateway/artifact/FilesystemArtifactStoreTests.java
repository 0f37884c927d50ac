package com.ltxgateway.artifact;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void aPutThatFailsLeavesNoPartialFile() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_fs", "config_file");

        assertThatThrownBy(() -> store().put(key, files.resolve("gone.bin"), "application/json")).isInstanceOf(ArtifactStoreFailed.class);

        try (var entries = Files.list(root.resolve("trn_fs"))) {
            assertThat(entries).isEmpty();
        }
    }
}
