package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The loop every claimer runs, without a database: what it promises its work about claims and stopping. */
class ClaimLoopTests {

    @Test
    void renewsTheClaimsOfItemsUnderWayAndOnlyThose() throws InterruptedException {
        Work work = new Work(List.of("slow", "quick"));
        CountDownLatch slowDone = new CountDownLatch(1);
        work.handler = item -> {
            if (item.equals("slow")) {
                await(slowDone);
            }
        };
        ClaimLoop<String> loop = new ClaimLoop<>("test", 4, 4, Duration.ofMillis(20), Duration.ofMillis(30), Duration.ofSeconds(5), work);
        loop.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> work.renewed.stream().filter(batch -> batch.contains("slow")).count() >= 3);
            assertThat(work.renewed).allSatisfy(batch -> assertThat(batch).doesNotContain("quick"));
        }
        finally {
            slowDone.countDown();
            loop.stop();
        }
        assertThat(work.handedBack).isEmpty();
    }

    @Test
    void aStopWaitsForItemsUnderWayWithinItsGrace() {
        Work work = new Work(List.of("a"));
        AtomicBoolean finished = new AtomicBoolean();
        work.handler = item -> {
            sleep(Duration.ofMillis(300));
            finished.set(true);
        };
        ClaimLoop<String> loop = new ClaimLoop<>("test", 4, 4, Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(5), work);
        loop.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !work.started.isEmpty());

        loop.stop();

        assertThat(finished).isTrue();
        assertThat(work.handedBack).isEmpty();
    }

    @Test
    void aStopInterruptsWhatOutlastsTheGraceAndHandsBackItsClaims() {
        Work work = new Work(List.of("stuck", "done"));
        Set<String> interrupted = ConcurrentHashMap.newKeySet();
        work.handler = item -> {
            if (item.equals("stuck")) {
                try {
                    Thread.sleep(Duration.ofMinutes(1));
                }
                catch (InterruptedException e) {
                    // What a handler does with an interrupt: record that its call's answer was lost, then end.
                    interrupted.add(item);
                    sleep(Duration.ofMillis(100));
                    throw new IllegalStateException("interrupted");
                }
            }
        };
        ClaimLoop<String> loop = new ClaimLoop<>("test", 4, 4, Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMillis(300), work);
        loop.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> work.started.size() == 2);

        long began = System.nanoTime();
        loop.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        assertThat(interrupted).containsExactly("stuck");
        // The interrupted item ended before the hand-back: the hand-back is for items still not done then.
        assertThat(work.handedBack).isEmpty();
    }

    @Test
    void itemsThatIgnoreTheInterruptHaveTheirClaimsHandedBack() throws InterruptedException {
        Work work = new Work(List.of("deaf"));
        CountDownLatch release = new CountDownLatch(1);
        work.handler = item -> {
            while (true) {
                try {
                    if (release.await(10, TimeUnit.SECONDS)) {
                        return;
                    }
                }
                catch (InterruptedException ignored) {
                    // keeps going, as a call that cannot be interrupted would
                }
            }
        };
        ClaimLoop<String> loop = new ClaimLoop<>("test", 4, 4, Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMillis(200), work);
        loop.start();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !work.started.isEmpty());
        try {
            loop.stop();
            assertThat(work.handedBack).containsExactly(List.of("deaf"));
        }
        finally {
            release.countDown();
        }
    }

    private static final class Work implements ClaimLoop.Work<String> {

        private final List<String> items;
        final java.util.concurrent.atomic.AtomicInteger claims = new java.util.concurrent.atomic.AtomicInteger();
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<List<String>> renewed = new CopyOnWriteArrayList<>();
        final List<List<String>> handedBack = new CopyOnWriteArrayList<>();
        volatile java.util.function.Consumer<String> handler = item -> {
        };

        Work(List<String> items) {
            this.items = items;
        }

        @Override
        public List<String> claim(int limit) {
            return claims.getAndIncrement() == 0 ? items : List.of();
        }

        @Override
        public void handle(String item) {
            started.add(item);
            handler.accept(item);
        }

        @Override
        public void renew(List<String> inFlight) {
            renewed.add(List.copyOf(inFlight));
        }

        @Override
        public void handBack(List<String> unfinished) {
            handedBack.add(List.copyOf(unfinished));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
