package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.TestPropertySource;

/** With a management port of their own, probes and metrics leave the application port, which the ingress exposes. */
@TestPropertySource(properties = "management.server.port=0")
class ManagementPortTests extends GatewayTestSupport {

    @LocalManagementPort
    int managementPort;

    @Test
    void probesAndMetricsAnswerOnTheManagementPortOnly() {
        Api management = new Api("http://localhost:" + managementPort);

        assertThat(management.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(management.get("/actuator/health/readiness", null).status()).isEqualTo(200);
        Response scrape = management.get("/actuator/prometheus", null);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.text()).contains("gateway_tracker_lag_seconds");
        assertThat(management.get("/actuator/health", null).json().has("components")).isFalse();

        assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(404);
        assertThat(api.get("/actuator/prometheus", null).status()).isEqualTo(404);
    }
}
