package com.ltxgateway.fal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * fal's storage as {@link FakeFalServer} serves it, by fal's JS client's protocol: {@code POST
 * /storage/upload/initiate} (or {@code initiate-multipart}) with the key gives {@code {upload_url, file_url}}; the bytes
 * go to the upload URL in one {@code PUT}, or in parts ({@code PUT {upload_url path}/{n}}, answered {@code {partNumber,
 * etag}}) completed by {@code POST {upload_url path}/complete}; the file is then served at its {@code file_url}. Every
 * finished upload is recorded, with whether any call to the upload URL carried an {@code Authorization} header.
 */
public final class FakeFalStorage {

    static final String INITIATE_PATH = "/storage/upload/";
    static final String UPLOAD_PATH = "/storage-upload/";
    static final String FILES_PATH = "/files/storage/";

    private static final JsonMapper JSON = JsonMapper.shared();

    /** A finished upload. */
    public record Upload(String fileName, String contentType, byte[] bytes, int parts, boolean keySentToUploadUrl, URI fileUrl) {
    }

    private record Pending(String fileName, String contentType, boolean multipart, URI fileUrl, Map<Integer, byte[]> parts,
            AtomicInteger keySent) {
    }

    private final String key;
    private final Supplier<URI> base;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Upload> files = new ConcurrentHashMap<>();
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();
    private final AtomicInteger initiates = new AtomicInteger();
    private volatile int failInitiates;
    private volatile Duration uploadDelay = Duration.ZERO;

    FakeFalStorage(String key, Supplier<URI> base) {
        this.key = key;
        this.base = base;
    }

    /** Every upload finished so far, oldest first. */
    public List<Upload> uploads() {
        return List.copyOf(uploads);
    }

    /** How many uploads were begun. */
    public int initiates() {
        return initiates.get();
    }

    /** The next {@code count} initiate calls are answered 503. */
    public void failInitiates(int count) {
        failInitiates = count;
    }

    /** Each upload's PUT is answered only after {@code delay}, as a large file would take. */
    public void slowUploads(Duration delay) {
        uploadDelay = delay;
    }

    void reset() {
        failInitiates = 0;
        uploadDelay = Duration.ZERO;
    }

    void initiate(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String kind = path.substring(INITIATE_PATH.length());
            if (!exchange.getRequestMethod().equals("POST") || !(kind.equals("initiate") || kind.equals("initiate-multipart"))
                    || !"storage_type=fal-cdn-v3".equals(exchange.getRequestURI().getQuery())) {
                send(exchange, 404, "{\"detail\":\"Not Found\"}");
                return;
            }
            if (!("Key " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"detail\":\"Unauthorized\"}");
                return;
            }
            if (failInitiates > 0) {
                failInitiates--;
                send(exchange, 503, "{\"detail\":\"storage unavailable\"}");
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String fileName = body.path("file_name").asString("");
            String contentType = body.path("content_type").asString("");
            if (fileName.isEmpty() || contentType.isEmpty()) {
                send(exchange, 422, "{\"detail\":[{\"loc\":[\"body\",\"file_name\"],\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
                return;
            }
            initiates.incrementAndGet();
            String id = UUID.randomUUID().toString();
            URI fileUrl = URI.create(base.get() + FILES_PATH + id + "/" + fileName);
            pending.put(id, new Pending(fileName, contentType, kind.equals("initiate-multipart"), fileUrl, new TreeMap<>(), new AtomicInteger()));
            send(exchange, 200, JSON.createObjectNode()
                    .put("upload_url", base.get() + UPLOAD_PATH + id + "?signature=" + id.hashCode())
                    .put("file_url", fileUrl.toString()).toString());
        }
    }

    void upload(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().substring(UPLOAD_PATH.length()).split("/");
            Pending upload = pending.get(parts[0]);
            if (upload == null || exchange.getRequestURI().getQuery() == null) {
                send(exchange, 404, "{\"detail\":\"Not Found\"}");
                return;
            }
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                upload.keySent().incrementAndGet();
            }
            byte[] bytes = read(exchange.getRequestBody());
            sleep(uploadDelay);
            String method = exchange.getRequestMethod();
            if (parts.length == 1 && method.equals("PUT") && !upload.multipart()) {
                finish(parts[0], upload, bytes, 1);
                send(exchange, 200, "{}");
            }
            else if (parts.length == 2 && method.equals("PUT") && upload.multipart() && parts[1].matches("[1-9][0-9]*")) {
                int number = Integer.parseInt(parts[1]);
                synchronized (upload) {
                    upload.parts().put(number, bytes);
                }
                send(exchange, 200, JSON.createObjectNode().put("partNumber", number).put("etag", "etag-" + number + "-" + bytes.length).toString());
            }
            else if (parts.length == 2 && method.equals("POST") && upload.multipart() && parts[1].equals("complete")) {
                JsonNode listed = JSON.readTree(bytes).path("parts");
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                synchronized (upload) {
                    for (int i = 0; i < listed.size(); i++) {
                        int number = listed.get(i).path("partNumber").asInt();
                        byte[] part = upload.parts().get(number);
                        if (number != i + 1 || part == null || !("etag-" + number + "-" + part.length).equals(listed.get(i).path("etag").asString())) {
                            send(exchange, 400, "{\"detail\":\"parts do not match\"}");
                            return;
                        }
                        whole.writeBytes(part);
                    }
                }
                finish(parts[0], upload, whole.toByteArray(), listed.size());
                send(exchange, 200, "{}");
            }
            else {
                send(exchange, 400, "{\"detail\":\"not this upload's protocol\"}");
            }
        }
    }

    void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] parts = exchange.getRequestURI().getPath().substring(FILES_PATH.length()).split("/", 2);
            Upload upload = files.get(parts[0]);
            if (upload == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", upload.contentType());
            exchange.sendResponseHeaders(200, upload.bytes().length);
            exchange.getResponseBody().write(upload.bytes());
        }
    }

    private void finish(String id, Pending upload, byte[] bytes, int parts) {
        pending.remove(id);
        Upload done = new Upload(upload.fileName(), upload.contentType(), bytes, parts, upload.keySent().get() > 0, upload.fileUrl());
        files.put(id, done);
        uploads.add(done);
    }

    private static byte[] read(InputStream body) throws IOException {
        return body.readAllBytes();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
