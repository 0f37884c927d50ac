package com.ltxgateway.artifact;

import java.io.IOException;
import java.io.InputStream;

import org.jspecify.annotations.Nullable;

/**
 * A stored object's bytes, opened in the store only at the first read: skips before it move the offset the store is
 * opened at, so a reader that skips to a range's start (as Spring MVC does) costs one ranged read, not a read of
 * everything before the range. Later skips and reads go to the store's stream.
 */
final class StoredObjectStream extends InputStream {

    private final ArtifactStore store;
    private final ArtifactKey key;
    private final long size;
    private long offset;
    private @Nullable InputStream opened;

    StoredObjectStream(ArtifactStore store, ArtifactKey key, long size) {
        this.store = store;
        this.key = key;
        this.size = size;
    }

    private InputStream opened() {
        if (opened == null) {
            opened = offset < size ? store.open(key, offset) : InputStream.nullInputStream();
        }
        return opened;
    }

    @Override
    public long skip(long n) throws IOException {
        if (opened != null) {
            return opened.skip(n);
        }
        long skipped = Math.max(0, Math.min(n, size - offset));
        offset += skipped;
        return skipped;
    }

    @Override
    public int read() throws IOException {
        return opened().read();
    }

    @Override
    public int read(byte[] buffer, int from, int length) throws IOException {
        return opened().read(buffer, from, length);
    }

    @Override
    public void close() throws IOException {
        if (opened != null) {
            opened.close();
        }
    }
}
