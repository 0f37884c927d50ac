package com.ltxgateway;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a stream on until more than {@code limit} bytes have been read, then throws what {@code tooLarge} makes of
 * the limit: an {@link IOException} where the reader expects one, or an unchecked exception where a parser must pass
 * the refusal on rather than call the input unreadable.
 */
public final class LimitedInputStream extends FilterInputStream {

    private final long limit;
    private final TooLarge tooLarge;
    private long read;

    /** What reading past the limit throws. */
    @FunctionalInterface
    public interface TooLarge {

        IOException of(long limit) throws IOException;
    }

    public LimitedInputStream(InputStream in, long limit, TooLarge tooLarge) {
        super(in);
        this.limit = limit;
        this.tooLarge = tooLarge;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? 0 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        count(Math.max(n, 0));
        return n;
    }

    private void count(int n) throws IOException {
        read += n;
        if (read > limit) {
            throw tooLarge.of(limit);
        }
    }
}
