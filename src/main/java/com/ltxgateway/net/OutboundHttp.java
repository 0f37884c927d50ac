package com.ltxgateway.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.ltxgateway.Causes;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The gateway's one way out over HTTP: Reactor Netty with the same pool, timeouts and rules for every caller. fal's
 * adapters put Spring's {@code WebClient} over {@link #client()} (its request is applied only once a connection is
 * open, which the submit gate needs); the other callers send and read with {@link #exchange}, blocking, from virtual
 * threads.
 * <p>
 * Redirects are never followed (one could carry a key, or lead a team's URL inside), and Reactor Netty's retry of a
 * request on a reset connection is off (it would send a webhook or a submit twice). Pooled connections are retired
 * before load balancers drop them silently while idle, which would otherwise fail the next call that picks one up.
 */
public final class OutboundHttp implements AutoCloseable {

    private static final int STREAM_CHUNK = 64 * 1024;
    /** Request bodies are read from their streams here, never on an event loop: the reads block. */
    private static final Scheduler READERS = Schedulers.fromExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());

    private final ConnectionProvider connections;
    private final HttpClient client;
    private final OutboundTimeouts timeouts;
    private final @Nullable OutboundUrlPolicy policy;

    private OutboundHttp(ConnectionProvider connections, OutboundTimeouts timeouts, @Nullable OutboundUrlPolicy policy) {
        this.connections = connections;
        this.timeouts = timeouts;
        this.policy = policy;
        HttpClient client = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeouts.connect().toMillis()))
                .responseTimeout(timeouts.read())
                .followRedirect(false)
                .disableRetry(true);
        this.client = policy == null ? client : client.resolver(new CheckedAddressResolverGroup(policy));
    }

    /**
     * Keeps connections for reuse, in a pool of its own named for its metrics, with Reactor Netty's default number of
     * connections (twice the cores, at least 16).
     */
    public static OutboundHttp pooled(String name, OutboundTimeouts timeouts) {
        return pooled(name, timeouts, ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS);
    }

    /** Like {@link #pooled(String, OutboundTimeouts)}, with at most {@code maxConnections} open at once. */
    public static OutboundHttp pooled(String name, OutboundTimeouts timeouts, int maxConnections) {
        return new OutboundHttp(pool(name, timeouts, maxConnections), timeouts, null);
    }

    /**
     * Like {@link #pooled}, and every host name resolves through {@code policy}: the connection goes to an address
     * checked in the same lookup, so a DNS answer that changed since the URL was checked cannot lead it inside.
     */
    public static OutboundHttp pooled(String name, OutboundTimeouts timeouts, OutboundUrlPolicy policy) {
        return new OutboundHttp(pool(name, timeouts, ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS), timeouts, policy);
    }

    /** A new connection for every call: for a request that must not go out on one the other end may have dropped. */
    public static OutboundHttp unpooled(OutboundTimeouts timeouts) {
        return new OutboundHttp(ConnectionProvider.newConnection(), timeouts, null);
    }

    /**
     * A call that finds every connection taken waits for one, however many wait: each caller bounds its own concurrency
     * (the tracker's slots, a claim loop's batch), and a wait is part of the call, cut off with it at
     * {@link OutboundTimeouts#longestCall()}. Reactor Netty's default refuses a call at once when twice the pool's size
     * already wait, which failed the tracker's polls at full concurrency as if fal had not answered.
     */
    private static ConnectionProvider pool(String name, OutboundTimeouts timeouts, int maxConnections) {
        return ConnectionProvider.builder(name)
                .maxConnections(maxConnections)
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(timeouts.longestCall())
                .maxIdleTime(Duration.ofSeconds(20))
                .maxLifeTime(Duration.ofMinutes(5))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
    }

    public HttpClient client() {
        return client;
    }

    public OutboundTimeouts timeouts() {
        return timeouts;
    }

    /**
     * An answer. {@code body} holds at most the bytes the call asked to keep; {@code tooLarge} says the answer went on
     * past the most the call would read, where reading stopped.
     */
    public record Answer(int status, HttpHeaders headers, byte[] body, boolean tooLarge) {

        public @Nullable String header(CharSequence name) {
            return headers.get(name);
        }

        public boolean is2xx() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Sends {@code body} (none when null) and reads the answer, keeping at most {@code keepBytes} of it and reading no
     * more than {@code maxBytes}. Blocks for at most {@link OutboundTimeouts#longestCall()}; call it from a virtual
     * thread.
     *
     * @throws OutboundCallFailed when no answer came, with a reason that is safe to show
     */
    public Answer exchange(HttpMethod method, URI url, Map<String, String> headers, byte @Nullable [] body, int keepBytes,
            long maxBytes) {
        return send(method, url, headers, body == null ? -1 : body.length,
                body == null ? Mono.empty() : Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)), keepBytes, maxBytes, timeouts.longestCall());
    }

    /**
     * Sends {@code body} ({@code length} bytes; -1 for none) and reads at most {@code maxBytes} of the answer, keeping
     * {@code keepBytes}; turns every way of getting no answer into {@link OutboundCallFailed}.
     */
    private Answer send(HttpMethod method, URI url, Map<String, String> headers, long length, Publisher<ByteBuf> body, int keepBytes,
            long maxBytes, Duration timeout) {
        checkAddressLiteral(url);
        try {
            Answer answer = client
                    .headers(h -> {
                        headers.forEach(h::set);
                        if (length >= 0) {
                            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
                        }
                    })
                    .request(method)
                    .uri(url)
                    .send(body)
                    .response((response, content) -> {
                        ByteArrayOutputStream kept = new ByteArrayOutputStream();
                        AtomicLong read = new AtomicLong();
                        return content
                                .doOnNext(buffer -> keep(buffer, kept, keepBytes))
                                .map(buffer -> read.addAndGet(buffer.readableBytes()))
                                .takeUntil(total -> total > maxBytes)
                                .then(Mono.fromSupplier(() -> new Answer(response.status().code(), response.responseHeaders(),
                                        kept.toByteArray(), read.get() > maxBytes)));
                    })
                    .next()
                    .timeout(timeout)
                    .block();
            if (answer == null) {
                throw new IllegalStateException("no response");
            }
            return answer;
        }
        catch (RuntimeException e) {
            if (Causes.find(e, InterruptedException.class) != null) {
                // The wait that was interrupted cleared the flag; the caller's loop still has to see it.
                Thread.currentThread().interrupt();
            }
            throw new OutboundCallFailed(timeouts.reason(e), Causes.find(e, OutboundAddressRefused.class) != null, e);
        }
    }

    /** A request body read from a stream, as many bytes as {@code length} says. */
    @FunctionalInterface
    public interface StreamedBody {

        InputStream open() throws IOException;
    }

    /**
     * Sends {@code length} bytes of {@code body}, read in chunks on a virtual thread as the connection takes them (never
     * whole in memory), and reads the answer as {@link #exchange} does. Blocks for at most {@code timeout}.
     *
     * @throws OutboundCallFailed when no answer came, or the body could not be read or was shorter than {@code length}
     */
    public Answer stream(HttpMethod method, URI url, Map<String, String> headers, long length, StreamedBody body, int keepBytes,
            Duration timeout) {
        Flux<ByteBuf> content = Flux.using(body::open, in -> Flux.<ByteBuf, AtomicLong>generate(AtomicLong::new, (sent, sink) -> {
            long left = length - sent.get();
            if (left <= 0) {
                sink.complete();
                return sent;
            }
            byte[] chunk = new byte[(int) Math.min(STREAM_CHUNK, left)];
            try {
                int read = in.readNBytes(chunk, 0, chunk.length);
                if (read < chunk.length) {
                    sink.error(new IOException("the body ended after " + (sent.get() + read) + " of " + length + " bytes"));
                    return sent;
                }
            }
            catch (IOException e) {
                sink.error(e);
                return sent;
            }
            sent.addAndGet(chunk.length);
            sink.next(Unpooled.wrappedBuffer(chunk));
            return sent;
        }), in -> {
            try {
                in.close();
            }
            catch (IOException e) {
                // nothing left to read from it
            }
        }).subscribeOn(READERS);
        return send(method, url, headers, length, content, keepBytes, Long.MAX_VALUE, timeout);
    }

    /**
     * What a download brought.
     *
     * @param bytes how many bytes of a 2xx answer were written (none for any other status)
     * @param sha256 their SHA-256, hex; null unless the status was 2xx
     * @param tooLarge the answer went on past the most the call would write, where writing stopped
     */
    public record Download(int status, long bytes, @Nullable String sha256, boolean tooLarge) {

        public boolean is2xx() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * GETs {@code url} into {@code target} (created or truncated), digesting the bytes as they arrive: nothing is held in
     * memory beyond the buffer in flight. Writes at most {@code maxBytes}; the body of an answer other than 2xx is
     * read and dropped. Blocks until the body ended, for at most {@code timeout} in all (each read waits at most the
     * read timeout); call it from a virtual thread.
     *
     * @throws OutboundCallFailed when no whole answer came (no connection, a timeout, a body cut short)
     */
    public Download download(URI url, Path target, long maxBytes, Duration timeout) {
        checkAddressLiteral(url);
        try (FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            Download download = client.get().uri(url)
                    .response((response, content) -> {
                        int status = response.status().code();
                        if (status < 200 || status >= 300) {
                            return content.then(Mono.fromSupplier(() -> new Download(status, 0, null, false)));
                        }
                        AtomicLong written = new AtomicLong();
                        return content
                                .takeWhile(buffer -> written.get() <= maxBytes)
                                .doOnNext(buffer -> written.addAndGet(write(buffer, file, sha256, maxBytes - written.get())))
                                .then(Mono.fromSupplier(() -> new Download(status, Math.min(written.get(), maxBytes),
                                        HexFormat.of().formatHex(sha256.digest()), written.get() > maxBytes)));
                    })
                    .next()
                    .timeout(timeout)
                    .block();
            if (download == null) {
                throw new IllegalStateException("no response");
            }
            return download;
        }
        catch (IOException e) {
            throw new UncheckedIOException("could not write " + target, e);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        catch (RuntimeException e) {
            // The local file failing is not the remote end's fault: it is told apart from a call that failed.
            UncheckedIOException local = Causes.find(e, UncheckedIOException.class);
            if (local != null) {
                throw local;
            }
            throw new OutboundCallFailed(timeouts.reason(e), Causes.find(e, OutboundAddressRefused.class) != null, e);
        }
    }

    /**
     * Reactor Netty connects to an address literal without asking the resolver, so the policy's check of host names at
     * connection time does not see it: a literal is checked here, before anything is sent.
     */
    private void checkAddressLiteral(URI url) {
        String host = url.getHost();
        if (policy == null || host == null || !(host.startsWith("[") || host.chars().allMatch(c -> Character.isDigit(c) || c == '.'))) {
            return;
        }
        try {
            policy.resolve(host);
        }
        catch (OutboundAddressRefused e) {
            throw new OutboundCallFailed(e.getMessage(), true, e);
        }
        catch (UnknownHostException e) {
            throw new OutboundCallFailed("the address " + host + " is not valid", false, e);
        }
    }

    /**
     * Writes what of {@code buffer} fits in {@code room} and digests it; returns the buffer's whole length, so that the
     * caller sees when the answer went on past the room.
     */
    private static long write(ByteBuf buffer, FileChannel file, MessageDigest sha256, long room) {
        int length = buffer.readableBytes();
        int fits = (int) Math.max(0, Math.min(length, room));
        try {
            for (ByteBuffer part : buffer.nioBuffers(buffer.readerIndex(), fits)) {
                sha256.update(part.duplicate());
                while (part.hasRemaining()) {
                    file.write(part);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return length;
    }

    private static void keep(ByteBuf buffer, ByteArrayOutputStream kept, int keepBytes) {
        int wanted = Math.min(buffer.readableBytes(), keepBytes - kept.size());
        if (wanted > 0) {
            byte[] bytes = new byte[wanted];
            buffer.getBytes(buffer.readerIndex(), bytes);
            kept.writeBytes(bytes);
        }
    }

    @Override
    public void close() {
        connections.dispose();
    }
}
