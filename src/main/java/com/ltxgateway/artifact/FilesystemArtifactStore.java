package com.ltxgateway.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Objects as files under a directory, a key's segments as its subdirectories. A put copies into a temporary file next
 * to the target and moves it into place atomically, so a reader sees the old bytes or the new, never a part. Replicas
 * share it only through a shared volume.
 */
public final class FilesystemArtifactStore implements ArtifactStore {

    private final Path root;

    public FilesystemArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public void put(ArtifactKey key, Path file, String contentType) {
        Path target = path(key);
        try {
            // createDirectories throws and catches an exception for every directory that exists, which most do.
            if (!Files.isDirectory(target.getParent())) {
                Files.createDirectories(target.getParent());
            }
            Path partial = Files.createTempFile(target.getParent(), ".partial-", ".tmp");
            try {
                Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (IOException | RuntimeException e) {
                // Only a put that failed leaves its partial file; after the move there is none to delete.
                Files.deleteIfExists(partial);
                throw e;
            }
        }
        catch (IOException e) {
            throw new ArtifactStoreFailed("could not store " + key + " under " + root, e);
        }
    }

    @Override
    public Optional<Long> size(ArtifactKey key) {
        try {
            return Optional.of(Files.size(path(key)));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw new ArtifactStoreFailed("could not read the size of " + key, e);
        }
    }

    @Override
    public InputStream open(ArtifactKey key, long offset) {
        try {
            FileChannel channel = FileChannel.open(path(key), StandardOpenOption.READ);
            return Channels.newInputStream(channel.position(offset));
        }
        catch (NoSuchFileException e) {
            throw new ArtifactMissing(key);
        }
        catch (IOException e) {
            throw new ArtifactStoreFailed("could not read " + key, e);
        }
    }

    /** Files are only served through the gateway. */
    @Override
    public Optional<URI> downloadLink(ArtifactKey key, String fileName, String contentType, Duration validFor) {
        return Optional.empty();
    }

    @Override
    public void delete(ArtifactKey key) {
        try {
            Files.deleteIfExists(path(key));
        }
        catch (IOException e) {
            throw new ArtifactStoreFailed("could not delete " + key, e);
        }
    }

    private Path path(ArtifactKey key) {
        return root.resolve(key.value());
    }
}
