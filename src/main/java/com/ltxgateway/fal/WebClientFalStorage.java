package com.ltxgateway.fal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.ltxgateway.fal.FalHttp.Request;
import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundUrlPolicy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.handler.codec.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Uploads to fal's storage as fal's JS client does ({@code libs/client/src/storage.ts}): {@code POST
 * {storage}/storage/upload/initiate?storage_type=fal-cdn-v3} with the key and {@code {content_type, file_name}} gives
 * {@code {upload_url, file_url}}; the bytes go to {@code upload_url} in one {@code PUT}. Above the multipart threshold,
 * {@code initiate-multipart} does the same, the parts go to {@code {upload_url path}/{part number}} (each answered
 * {@code {partNumber, etag}}) and a {@code POST} to {@code {upload_url path}/complete} lists them. The upload URL is
 * signed: it gets no key, and it is called through the outbound address policy like any URL an answer names.
 */
@Component
class WebClientFalStorage implements FalStorage, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebClientFalStorage.class);
    private static final int MAX_ANSWER = 64 * 1024;
    private static final int PART_RETRIES = 3;

    private final FalHttp http;
    private final OutboundHttp uploads;
    private final FalProperties properties;
    private final FalCallMetrics metrics;

    WebClientFalStorage(WebClient.Builder builder, FalProperties properties, OutboundUrlPolicy policy, MeterRegistry meters) {
        this.properties = properties;
        this.http = new FalHttp("fal-storage", builder, properties);
        this.uploads = OutboundHttp.pooled("fal-storage-uploads", properties.timeouts(), policy);
        this.metrics = new FalCallMetrics("gateway.fal.storage.calls", "Calls to fal's storage, by how they ended", new Duration[0], meters, log);
    }

    @Override
    public void close() {
        http.close();
        uploads.close();
    }

    @Override
    public FalOutcome<URI> upload(String fileName, String contentType, long size, Content content) {
        boolean multipart = size > properties.storageMultipartThreshold().toBytes();
        FalOutcome<Initiated> initiated = initiate(multipart ? "initiate-multipart" : "initiate", fileName, contentType);
        if (!(initiated instanceof FalOutcome.Success<Initiated>(Initiated target))) {
            return retyped(initiated);
        }
        // Large files take long at any speed: a part or a whole upload may take as long as its bytes need at 1 MB/s.
        try {
            if (!multipart) {
                OutboundHttp.Answer answer = uploads.stream(HttpMethod.PUT, target.uploadUrl(), Map.of("Content-Type", contentType), size,
                        () -> content.open(0), MAX_ANSWER, transferTime(size));
                return answer.is2xx() ? new FalOutcome.Success<>(target.fileUrl()) : refused("upload", answer);
            }
            List<ObjectNode> parts = new ArrayList<>();
            long partSize = properties.storagePartSize().toBytes();
            for (long offset = 0, number = 1; offset < size; offset += partSize, number++) {
                long length = Math.min(partSize, size - offset);
                FalOutcome<ObjectNode> part = part(target, number, offset, length, content);
                if (!(part instanceof FalOutcome.Success<ObjectNode>(ObjectNode uploaded))) {
                    return retyped(part);
                }
                parts.add(uploaded);
            }
            ObjectNode complete = JsonMapper.shared().createObjectNode();
            complete.putArray("parts").addAll(parts);
            OutboundHttp.Answer answer = uploads.exchange(HttpMethod.POST, target.sibling("complete"),
                    Map.of("Content-Type", "application/json"), JsonMapper.shared().writeValueAsBytes(complete), MAX_ANSWER, MAX_ANSWER);
            return answer.is2xx() ? new FalOutcome.Success<>(target.fileUrl()) : refused("complete", answer);
        }
        catch (OutboundCallFailed e) {
            return new FalOutcome.Unavailable<>(0, "storage upload: " + e.getMessage(), null);
        }
    }

    private FalOutcome<ObjectNode> part(Initiated target, long number, long offset, long length, Content content) {
        OutboundCallFailed last = null;
        for (int attempt = 1; attempt <= PART_RETRIES; attempt++) {
            try {
                OutboundHttp.Answer answer = uploads.stream(HttpMethod.PUT, target.sibling(Long.toString(number)), Map.of(), length,
                        () -> content.open(offset), MAX_ANSWER, transferTime(length));
                if (!answer.is2xx()) {
                    return refused("part " + number, answer);
                }
                JsonNode etag = JsonMapper.shared().readTree(answer.body()).path("etag");
                if (!etag.isString()) {
                    return new FalOutcome.Unavailable<>(answer.status(), "storage part " + number + ": no etag in the answer", null);
                }
                ObjectNode part = JsonMapper.shared().createObjectNode();
                part.put("partNumber", number);
                part.put("etag", etag.asString());
                return new FalOutcome.Success<>(part);
            }
            catch (OutboundCallFailed e) {
                last = e;
            }
        }
        return new FalOutcome.Unavailable<>(0, "storage part " + number + ": " + last.getMessage(), null);
    }

    private record Initiated(URI uploadUrl, URI fileUrl) {

        /** {@code {upload_url path}/{name}}, the upload URL's query kept. */
        URI sibling(String name) {
            String query = uploadUrl.getRawQuery();
            return URI.create(uploadUrl.getScheme() + "://" + uploadUrl.getRawAuthority() + uploadUrl.getRawPath() + "/" + name
                    + (query == null ? "" : "?" + query));
        }
    }

    private FalOutcome<Initiated> initiate(String kind, String fileName, String contentType) {
        URI url = URI.create(properties.storageUrl().toString().replaceAll("/+$", "") + "/storage/upload/" + kind + "?storage_type=fal-cdn-v3");
        ObjectNode body = JsonMapper.shared().createObjectNode().put("content_type", contentType).put("file_name", fileName);
        Request<JsonNode> request = Request.gated(org.springframework.http.HttpMethod.POST, url, properties.key(),
                JsonMapper.shared().writeValueAsBytes(body), SubmitGate.ALWAYS_OPEN, FalBodies.capped(MAX_ANSWER, properties.key()));
        return metrics.record(kind, Tags.empty(), () -> http.execute(request, reply -> {
            if (!reply.is2xx()) {
                return FalAnswers.classify(reply, reply.body());
            }
            String uploadUrl = reply.body() == null ? null : FalAnswers.text(reply.body().get("upload_url"));
            String fileUrl = reply.body() == null ? null : FalAnswers.text(reply.body().get("file_url"));
            if (uploadUrl == null || fileUrl == null) {
                return FalAnswers.unparseable(reply);
            }
            try {
                return new FalOutcome.Success<>(new Initiated(URI.create(uploadUrl), URI.create(fileUrl)));
            }
            catch (IllegalArgumentException e) {
                return FalAnswers.unparseable(reply);
            }
        }), outcome -> switch (outcome) {
            case FalOutcome.Success<?> s -> "ok";
            case FalOutcome.Rejected<?> r -> "rejected " + r.httpStatus();
            case FalOutcome.Unavailable<?> u -> "unavailable " + u.reason();
        });
    }

    private static Duration transferTime(long bytes) {
        return Duration.ofSeconds(60 + bytes / 1_000_000);
    }

    private static <T> FalOutcome<T> refused(String step, OutboundHttp.Answer answer) {
        String reason = "storage " + step + " answered HTTP " + answer.status();
        return answer.status() >= 400 && answer.status() < 500 && answer.status() != 429
                ? new FalOutcome.Rejected<>(answer.status(), new FalError("storage_refused", reason, null))
                : new FalOutcome.Unavailable<>(answer.status(), reason, null);
    }

    @SuppressWarnings("unchecked")
    private static <T> FalOutcome<T> retyped(FalOutcome<?> failure) {
        return (FalOutcome<T>) failure;
    }
}
