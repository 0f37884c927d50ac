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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The loop every claimer runs, without a database: what it promises its work about claims, rounds and stopping. */
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
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofMillis(30), Duration.ofSeconds(5), work);
        loop.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> work.renewed.stream().filter(batch -> batch.contains("slow")).count() >= 3);
            // The quick item may still be under way at the first renewal on a busy machine, never after it ended.
            List<List<String>> renewed = List.copyOf(work.renewed);
            int quickEnded = renewed.indexOf(renewed.stream().filter(batch -> !batch.contains("quick")).findFirst().orElseThrow());
            assertThat(renewed.subList(quickEnded, renewed.size())).allSatisfy(batch -> assertThat(batch).containsExactly("slow"));
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
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(5), work);
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
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMillis(300), work);
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
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMillis(200), work);
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

    @Test
    void runOnceHandlesOneBatchOnTheCallersThreadInTheLoopsName() {
        Work work = new Work(List.of("a", "b"));
        List<Thread> threads = new CopyOnWriteArrayList<>();
        work.handler = item -> threads.add(Thread.currentThread());
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(5), work);

        assertThat(loop.runOnce()).isEqualTo(2);
        assertThat(loop.runOnce()).isZero();

        assertThat(work.started).containsExactly("a", "b");
        assertThat(threads).containsOnly(Thread.currentThread());
        assertThat(work.owners).containsOnly(loop.owner());
        assertThat(loop.owner()).matches(".+/[0-9a-f]{8}");
        assertThat(loop.isRunning()).isFalse();
    }

    @Test
    void aLoopThatDoesNotRunHereIsNeverStarted() {
        Work work = new Work(List.of("a"));
        Loop loop = new Loop(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(5), work) {
            @Override
            protected boolean runsHere() {
                return false;
            }
        };

        loop.start();

        assertThat(loop.isRunning()).isFalse();
        assertThat(work.claims).hasValue(0);
        loop.stop();
    }

    /** A loop over {@link Work}, as the claimers of the gateway are loops over their tables. */
    private static class Loop extends ClaimLoop<String> {

        private final Work work;

        Loop(Duration idleInterval, Duration renewInterval, Duration stopGrace, Work work) {
            super("test", 4, 4, idleInterval, renewInterval, stopGrace);
            this.work = work;
        }

        @Override
        protected List<String> claim(String owner, int limit) {
            work.owners.add(owner);
            return work.claim();
        }

        @Override
        protected void handle(String item) {
            work.handle(item);
        }

        @Override
        protected void renew(List<String> inFlight) {
            work.renewed.add(List.copyOf(inFlight));
        }

        @Override
        protected void handBack(List<String> unfinished) {
            work.handedBack.add(List.copyOf(unfinished));
        }
    }

    private static final class Work {

        private final List<String> items;
        final AtomicInteger claims = new AtomicInteger();
        final List<String> owners = new CopyOnWriteArrayList<>();
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<List<String>> renewed = new CopyOnWriteArrayList<>();
        final List<List<String>> handedBack = new CopyOnWriteArrayList<>();
        volatile Consumer<String> handler = item -> {
        };

        Work(List<String> items) {
            this.items = items;
        }

        List<String> claim() {
            return claims.getAndIncrement() == 0 ? items : List.of();
        }

        void handle(String item) {
            started.add(item);
            handler.accept(item);
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
