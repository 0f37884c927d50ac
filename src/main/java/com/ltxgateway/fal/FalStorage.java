package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * fal's storage, where files a request names by URL can be uploaded (a training's zip): fal's URL of the file comes
 * back. The protocol is fal's JS client's: initiate with the key, then the bytes to the URL fal returned, without the
 * key; above {@code gateway.fal.storage-multipart-threshold} in parts.
 */
public interface FalStorage {

    /** The file's bytes from an offset; the caller closes the stream. */
    @FunctionalInterface
    interface Content {

        InputStream open(long offset) throws IOException;
    }

    /**
     * Uploads {@code size} bytes of {@code content}, streamed, never whole in memory.
     *
     * @return fal's URL of the file, or why fal did not take it
     */
    FalOutcome<URI> upload(String fileName, String contentType, long size, Content content);
}
