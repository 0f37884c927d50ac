package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

class FalWebhookIntakeTests {

    @Test
    void refusesADeliveryOnceThePlacesAreTakenAndTakesOneAgainWhenAPlaceIsFree() throws InterruptedException {
        FalWebhookIntake intake = new FalWebhookIntake(1, Duration.ofMillis(50));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread first = Thread.ofVirtual().start(() -> intake.receive(() -> {
            inside.countDown();
            await(leave);
        }));
        inside.await();
        assertThat(intake.full()).as("its one place taken").isTrue();

        assertThatThrownBy(() -> intake.receive(() -> { }))
                .isInstanceOfSatisfying(FalWebhooksBusy.class, busy -> {
                    assertThat(busy.getStatusCode().value()).isEqualTo(503);
                    assertThat(busy.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
                });

        leave.countDown();
        first.join();
        assertThat(intake.full()).isFalse();
        AtomicInteger received = new AtomicInteger();
        intake.receive(received::incrementAndGet);
        assertThat(received).hasValue(1);
    }

    @Test
    void freesItsPlaceWhenTheDeliveryFails() {
        FalWebhookIntake intake = new FalWebhookIntake(1, Duration.ZERO);
        assertThatThrownBy(() -> intake.receive(() -> {
            throw new FalWebhookRejected();
        })).isInstanceOf(FalWebhookRejected.class);

        AtomicInteger received = new AtomicInteger();
        intake.receive(received::incrementAndGet);
        assertThat(received).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
