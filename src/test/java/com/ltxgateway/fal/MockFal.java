package com.ltxgateway.fal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** fal's answers queued on a MockWebServer for the adapters' tests, and the requests the adapters made. */
final class MockFal {

    private MockFal() {
    }

    /** A JSON answer; {@code headers} are name, value pairs. */
    static void respond(MockWebServer server, int code, String body, String... headers) {
        MockResponse.Builder response = new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body);
        for (int i = 0; i < headers.length; i += 2) {
            response.addHeader(headers[i], headers[i + 1]);
        }
        server.enqueue(response.build());
    }

    static RecordedRequest taken(MockWebServer server) throws InterruptedException {
        RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(request).as("request reached the server").isNotNull();
        return request;
    }
}
