package com.ltxgateway.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Adobe's S3Mock, a real S3-compatible server, run as a process of its own from the executable jar the build copies to
 * {@code target/s3mock/s3mock.jar}: no Docker needed, and its Spring Boot stays out of the gateway's classpath. It
 * accepts any credentials and keeps its objects in a temporary directory.
 */
public final class S3MockServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path root;

    private S3MockServer(Process process, int port, Path root) {
        this.process = process;
        this.port = port;
        this.root = root;
    }

    /** Starts a server with {@code buckets} created, and waits until it answers. */
    public static S3MockServer start(String... buckets) {
        try {
            Path jar = Path.of("target/s3mock/s3mock.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: the build copies it (mvn process-test-resources)");
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path root = Files.createTempDirectory("s3mock");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString(),
                    "--server.port=0",
                    "--com.adobe.testing.s3mock.httpPort=" + port,
                    "--com.adobe.testing.s3mock.store.initialBuckets=" + String.join(",", buckets),
                    "--com.adobe.testing.s3mock.store.root=" + root,
                    "--spring.main.banner-mode=off"))
                    .redirectErrorStream(true)
                    .redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile())
                    .start();
            S3MockServer server = new S3MockServer(process, port, root);
            server.awaitAnswer();
            return server;
        }
        catch (IOException e) {
            throw new IllegalStateException("could not start S3Mock", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private void awaitAnswer() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        if (!HttpReadiness.await(http, endpoint(), Duration.ofSeconds(60), process::isAlive)) {
            close();
            throw new IllegalStateException("S3Mock did not answer on port " + port);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
