package com.ltxgateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestsInFlightTests {

    private final RequestsInFlight requests = new RequestsInFlight(List.of(new CallbackPaths("/fal/webhooks/")));

    @Test
    void aCallersRequestCountsWhileItIsWorkedOn() throws Exception {
        assertThat(servingDuring("/v1/trainings")).isTrue();
        assertThat(requests.serving()).as("answered").isFalse();
    }

    @Test
    void aServiceReportingBackIsNoCallerWaiting() throws Exception {
        assertThat(servingDuring("/fal/webhooks/trn_01/token")).isFalse();
    }

    @Test
    void theContextPathIsNotPartOfTheCallbacksPath() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/gateway/fal/webhooks/trn_01/token");
        request.setContextPath("/gateway");
        assertThat(servingDuring(request)).isFalse();
    }

    private boolean servingDuring(String path) throws Exception {
        return servingDuring(new MockHttpServletRequest("POST", path));
    }

    private boolean servingDuring(MockHttpServletRequest request) throws Exception {
        AtomicBoolean serving = new AtomicBoolean();
        requests.doFilter(request, new MockHttpServletResponse(), (req, res) -> serving.set(requests.serving()));
        return serving.get();
    }
}
