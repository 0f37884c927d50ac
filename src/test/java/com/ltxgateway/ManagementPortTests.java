package com.ltxgateway;

import java.nio.file.Files;
import java.nio.file.Path;

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

    /** What the test above runs with is what the Helm chart deploys (its rendering is checked by .ci/check-deploy). */
    @Test
    void theHelmChartSetsAManagementPortOfItsOwnAndProbesAndScrapesIt() throws Exception {
        Path chart = Path.of("helm/ltx-trainer-gateway");
        String values = Files.readString(chart.resolve("values.yaml"));
        assertThat(values).containsPattern("(?m)^management:\\n(  #.*\\n)*  port: 8081$");
        assertThat(Files.readString(chart.resolve("templates/configmap.yaml"))).contains("MANAGEMENT_SERVER_PORT: {{ .Values.management.port | quote }}");
        String deployment = Files.readString(chart.resolve("templates/deployment.yaml"));
        assertThat(deployment).contains("- name: management");
        assertThat(deployment.split("port: management", -1)).as("startup, liveness and readiness probes on it").hasSize(4);
        assertThat(Files.readString(chart.resolve("templates/service.yaml"))).doesNotContain("management");
        assertThat(Files.readString(chart.resolve("templates/servicemonitor.yaml"))).contains("- port: management");
    }
}
