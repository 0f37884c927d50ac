package com.ltxgateway.artifact;

import java.io.InputStream;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.AbstractResource;

/**
 * A stored object as Spring MVC writes resources: whole, or the ranges a request asks for, each from a stream that
 * Spring skips to the range's start before reading (one ranged read of the store). Its size is the one recorded
 * when it was stored.
 */
public final class StoredArtifact extends AbstractResource {

    private final ArtifactStore store;
    private final ArtifactKey key;
    private final long size;

    public StoredArtifact(ArtifactStore store, ArtifactKey key, long size) {
        this.store = store;
        this.key = key;
        this.size = size;
    }

    @Override
    public InputStream getInputStream() {
        return new StoredObjectStream(store, key, size);
    }

    @Override
    public long contentLength() {
        return size;
    }

    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public String getDescription() {
        return "stored artifact " + key;
    }

    @Override
    public @Nullable String getFilename() {
        return null;
    }
}
