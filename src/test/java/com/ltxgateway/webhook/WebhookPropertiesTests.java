package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class WebhookPropertiesTests {

    @Test
    void refusesRetryWaitsThatAreNotPositive() {
        assertThatThrownBy(() -> new WebhookProperties(null, Duration.ofHours(24), List.of(Duration.ofSeconds(5), Duration.ZERO),
                Duration.ofSeconds(2), Duration.ofSeconds(5), DataSize.ofKilobytes(64), Duration.ofMinutes(1), Duration.ofSeconds(1), 16, Duration.ofDays(30), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.webhooks.retry-schedule");
    }

    @Test
    void neverPrintsTheEncryptionKeys() {
        String current = "Y3VycmVudC1rZXktY3VycmVudC1rZXktY3VycmVudC0=";
        String previous = "cHJldmlvdXMta2V5LXByZXZpb3VzLWtleS1wcmV2aW8=";

        String printed = new WebhookProperties(current, Duration.ofHours(24), List.of(Duration.ofSeconds(5)), Duration.ofSeconds(2),
                Duration.ofSeconds(5), DataSize.ofKilobytes(64), Duration.ofMinutes(1), Duration.ofSeconds(1), 16, Duration.ofDays(30),
                List.of(previous)).toString();

        assertThat(printed).doesNotContain(current).doesNotContain(previous).contains("encryptionKey=(set)", "previousEncryptionKeys=(1 set)");
    }
}
