package com.ltxgateway.fal;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.filter.TokenFilter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriUtils;

import com.ltxgateway.fal.FalHttp.Reply;
import com.ltxgateway.fal.FalHttp.Request;

/**
 * {@link FalPlatform} over HTTP, with the admin key; calls block, like {@link WebClientFalQueue}'s, whose transport
 * and classification it shares ({@link FalHttp}): 401/403 are {@code keyRefused}, 429 and 5xx {@code Unavailable}
 * with {@code Retry-After}, timeouts and connection failures {@code Unavailable}, other 4xx {@code Rejected}.
 * <p>
 * A page is read as it streams in, at most {@value #MAX_PAGE_MEGABYTES} MB of it (a hundred items with their
 * payloads; a larger page is {@code Unavailable} as "response too large"), inline {@code file_data} in outputs
 * dropped unread and the admin key masked in every string. Lists are read tolerantly: unknown fields are ignored,
 * missing or unreadable optional fields are null, an item without a {@code request_id} is skipped.
 */
@Component
class WebClientFalPlatform implements FalPlatform, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebClientFalPlatform.class);

    static final int PAGE_SIZE = 100;
    static final int MAX_PAGE_MEGABYTES = 32;
    private static final long MAX_PAGE_BYTES = DataSize.ofMegabytes(MAX_PAGE_MEGABYTES).toBytes();
    // Costs are read as decimals, not doubles, so nano-dollars convert exactly.
    private static final JsonMapper DECIMALS = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    // An item's input is kept as fal has it (it is matched against what the gateway submitted); outputs lose file_data.
    private static final TokenFilter KEEP_INPUTS = new FalBodies.SkipProperty("file_data") {
        @Override
        public TokenFilter includeProperty(String name) {
            return "json_input".equals(name) ? TokenFilter.INCLUDE_ALL : super.includeProperty(name);
        }
    };

    private final FalHttp http;
    private final FalProperties properties;
    private final FalCallMetrics metrics;

    WebClientFalPlatform(WebClient.Builder builder, FalProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.metrics = new FalCallMetrics("gateway.fal.platform.calls", "Calls to fal's Platform API, by how they ended",
                new Duration[0], meters, log);
        this.http = new FalHttp("fal-platform", builder, properties);
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public boolean enabled() {
        return properties.hasAdminKey();
    }

    @Override
    public FalOutcome<FalPage<FalRequestRecord>> requests(Instant start, Instant end, String cursor) {
        return page("requests", url("/models/requests/by-endpoint", start, end, cursor, "&expand=payloads"), JsonMapper.shared(),
                KEEP_INPUTS, "items", WebClientFalPlatform::request);
    }

    @Override
    public FalOutcome<FalPage<FalBillingEvent>> billingEvents(Instant start, Instant end, String cursor) {
        return page("billing_events", url("/models/billing-events", start, end, cursor, ""), DECIMALS,
                FalBodies.WITHOUT_FILE_DATA, "billing_events", WebClientFalPlatform::billingEvent);
    }

    @Override
    public FalOutcome<FalPrice> price() {
        if (!enabled()) {
            return new FalOutcome.Unavailable<>(0, "no admin key configured", null);
        }
        String key = properties.adminKey();
        Request<JsonNode> request = Request.of(HttpMethod.GET, url("/models/pricing", null, null, null, ""), key,
                FalBodies.tree(DECIMALS, FalBodies.WITHOUT_FILE_DATA, MAX_PAGE_BYTES, key));
        return metrics.record("pricing", Tags.empty(), () -> http.execute(request, this::price), WebClientFalPlatform::describe);
    }

    // --- calls ---------------------------------------------------------------------------------------------------

    private URI url(String path, Instant start, Instant end, String cursor, String extra) {
        String base = properties.apiUrl().toString();
        StringBuilder url = new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                .append(path)
                .append("?endpoint_id=").append(encode(properties.endpointId()));
        if (start != null) {
            url.append("&start=").append(encode(start.toString()));
        }
        if (end != null) {
            url.append("&end=").append(encode(end.toString()));
        }
        url.append("&limit=").append(PAGE_SIZE).append(extra);
        if (cursor != null) {
            url.append("&cursor=").append(encode(cursor));
        }
        return URI.create(url.toString());
    }

    /** Everything but unreserved characters encoded: a cursor's {@code +} must not turn into a space. */
    private static String encode(String value) {
        return UriUtils.encode(value, StandardCharsets.UTF_8);
    }

    private <T> FalOutcome<FalPage<T>> page(String operation, URI url, JsonMapper mapper, TokenFilter filter, String itemsField,
            Function<JsonNode, T> item) {
        if (!enabled()) {
            return new FalOutcome.Unavailable<>(0, "no admin key configured", null);
        }
        String key = properties.adminKey();
        Request<JsonNode> request = Request.of(HttpMethod.GET, url, key, FalBodies.tree(mapper, filter, MAX_PAGE_BYTES, key));
        return metrics.record(operation, Tags.empty(), () -> http.execute(request, reply -> read(reply, itemsField, item)),
                WebClientFalPlatform::describe);
    }

    private static <T> FalOutcome<FalPage<T>> read(Reply<JsonNode> reply, String itemsField, Function<JsonNode, T> item) {
        JsonNode body = reply.body();
        if (!reply.is2xx()) {
            return FalAnswers.classify(reply, body);
        }
        JsonNode list = body != null && body.isObject() ? body.get(itemsField) : null;
        if (list == null || !list.isArray()) {
            return FalAnswers.unparseable(reply);
        }
        List<T> items = new ArrayList<>();
        for (JsonNode node : list.values()) {
            T value = node.isObject() && StringUtils.hasText(FalAnswers.text(node.get("request_id"))) ? item.apply(node) : null;
            if (value != null) {
                items.add(value);
            }
        }
        String next = FalAnswers.text(body.get("next_cursor"));
        JsonNode more = body.get("has_more");
        boolean last = !StringUtils.hasText(next) || more != null && more.isBoolean() && !more.booleanValue();
        return new FalOutcome.Success<>(new FalPage<>(items, last ? null : next));
    }

    private FalOutcome<FalPrice> price(Reply<JsonNode> reply) {
        JsonNode body = reply.body();
        if (!reply.is2xx()) {
            return FalAnswers.classify(reply, body);
        }
        JsonNode prices = body != null && body.isObject() ? body.get("prices") : null;
        if (prices == null || !prices.isArray()) {
            return FalAnswers.unparseable(reply);
        }
        for (JsonNode price : prices.values()) {
            if (!properties.endpointId().equals(FalAnswers.text(price.get("endpoint_id")))) {
                continue;
            }
            BigDecimal unitPrice = decimal(price.get("unit_price"));
            String currency = FalAnswers.text(price.get("currency"));
            if (unitPrice == null || unitPrice.signum() <= 0 || !"USD".equalsIgnoreCase(currency)) {
                return new FalOutcome.Unavailable<>(reply.status(), "fal's price is not a positive amount in USD (" + FalAnswers.truncate(price.toString()) + ")", null);
            }
            return new FalOutcome.Success<>(new FalPrice(unitPrice.stripTrailingZeros(), FalAnswers.text(price.get("unit"))));
        }
        return new FalOutcome.Unavailable<>(reply.status(), "fal listed no price for " + properties.endpointId(), null);
    }

    private static String describe(FalOutcome<?> outcome) {
        return switch (outcome) {
            case FalOutcome.Success<?>(FalPage<?> page) -> "outcome=ok " + page.items().size() + " item(s)" + (page.nextCursor() != null ? ", more" : "");
            case FalOutcome.Success<?>(FalPrice price) -> "outcome=ok " + price.unitPrice().toPlainString() + " USD per " + price.unit();
            case FalOutcome.Success<?> s -> "outcome=ok";
            case FalOutcome.Rejected<?> r -> "outcome=rejected " + r.httpStatus() + " " + FalAnswers.safeType(r.error().code());
            case FalOutcome.Unavailable<?> u -> "outcome=unavailable " + u.reason();
        };
    }

    // --- items ---------------------------------------------------------------------------------------------------

    private static FalRequestRecord request(JsonNode item) {
        return new FalRequestRecord(FalAnswers.text(item.get("request_id")), FalAnswers.text(item.get("endpoint_id")),
                instant(item.get("sent_at")), instant(item.get("started_at")), instant(item.get("ended_at")),
                FalAnswers.integer(item.get("status_code")), payload(item.get("json_input")), payload(item.get("json_output")));
    }

    private static FalBillingEvent billingEvent(JsonNode item) {
        BigDecimal nanos = decimal(item.get("cost_estimate_nano_usd"));
        return new FalBillingEvent(FalAnswers.text(item.get("request_id")), FalAnswers.text(item.get("endpoint_id")),
                instant(item.get("timestamp")), nanos == null ? null : nanos.movePointLeft(9));
    }

    private static JsonNode payload(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    /** ISO-8601 with an offset ({@code Z}, {@code +00:00}); without one, UTC. Null when absent or unreadable. */
    static Instant instant(JsonNode node) {
        String text = FalAnswers.text(node);
        if (!StringUtils.hasText(text)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        }
        catch (DateTimeParseException ex) {
            try {
                return LocalDateTime.parse(text.trim()).toInstant(ZoneOffset.UTC);
            }
            catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    /** A number, or a string holding one, exactly; null otherwise. */
    private static BigDecimal decimal(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        String text = FalAnswers.text(node);
        if (!StringUtils.hasText(text)) {
            return null;
        }
        try {
            return new BigDecimal(text.trim());
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }
}
