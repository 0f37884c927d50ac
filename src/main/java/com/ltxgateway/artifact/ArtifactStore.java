package com.ltxgateway.artifact;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where copies of the files trainings produced are kept, under keys such as {@code trn_01.../lora_file}. Files go in
 * from a local file (the copy is digested and checked on disk before it is stored) and come out as streams, from any
 * offset, so that nothing is ever held whole in memory: LoRAs reach hundreds of megabytes.
 */
public interface ArtifactStore {

    /** Stores {@code file}'s bytes under {@code key}, replacing what was there; readers never see a partial object. */
    void put(ArtifactKey key, Path file, String contentType);

    /** The stored object's size in bytes; empty when nothing is stored under {@code key}. */
    Optional<Long> size(ArtifactKey key);

    /**
     * The stored bytes from {@code offset} (0, or less than the size) to the end; the caller closes the stream.
     *
     * @throws ArtifactMissing when nothing is stored under {@code key}
     */
    InputStream open(ArtifactKey key, long offset);

    /**
     * A URL a client can download the object from directly, for {@code validFor}, answered with {@code contentType}
     * and as an attachment named {@code fileName}; empty when the store has no such links (a filesystem).
     */
    Optional<URI> downloadLink(ArtifactKey key, String fileName, String contentType, Duration validFor);

    /** Deletes what is stored under {@code key}; nothing happens when nothing is. */
    void delete(ArtifactKey key);
}
