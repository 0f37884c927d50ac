package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepTurnsTests {

    private final AtomicBoolean serving = new AtomicBoolean();
    /** Two turns, held for as long as they are needed: the tests of who waits for a turn, in real time. */
    private final StepTurns turns = new StepTurns(serving::get, 2, 1, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    /** One turn held for at most a quarter of the time, on a settable clock: the tests of the rests. */
    private final AtomicLong now = new AtomicLong();
    private final List<Duration> rests = new ArrayList<>();
    private Runnable onRest = () -> { };
    private final StepTurns sharedTurns = new StepTurns(serving::get, 1, 0.25, now::get, nanos -> {
        rests.add(Duration.ofNanos(nanos));
        now.addAndGet(nanos);
        onRest.run();
    });
    private final AtomicInteger working = new AtomicInteger();
    private final CountDownLatch finish = new CountDownLatch(1);
    private final List<Thread> steps = new ArrayList<>();

    @AfterEach
    void finishSteps() throws InterruptedException {
        finish.countDown();
        for (Thread step : steps) {
            step.join();
        }
    }

    @Test
    void withoutRequestsEveryStepWorksAtOnce() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            startStep(() -> work());
        }
        awaitWorking(5);
    }

    @Test
    void whileServingOnlyAFewStepsWorkAndTheOthersWaitTheirTurn() throws InterruptedException {
        serving.set(true);
        for (int i = 0; i < 3; i++) {
            startStep(() -> work());
        }
        awaitWorking(2);
        // Two steps are parked in their work, the third on its turn.
        awaitParked(3);
        assertThat(working).hasValue(2);

        finishSteps();
        assertThat(working).as("the third step ran once a turn was free").hasValue(3);
    }

    @Test
    void aStepWaitingForFalHoldsNoTurn() throws InterruptedException {
        serving.set(true);
        CountDownLatch falAnswers = new CountDownLatch(1);
        CountDownLatch askedFal = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            startStep(() -> turns.waitingFor(() -> {
                askedFal.countDown();
                await(falAnswers);
                return null;
            }));
        }
        askedFal.await();
        startStep(() -> work());
        startStep(() -> work());
        awaitWorking(2);
        falAnswers.countDown();
    }

    @Test
    void anInterruptedStepGoesOnWithoutATurn() throws InterruptedException {
        serving.set(true);
        startStep(() -> work());
        startStep(() -> work());
        awaitWorking(2);
        AtomicBoolean ranAfterInterrupt = new AtomicBoolean();
        Thread late = Thread.ofPlatform().start(() -> turns.step(() -> ranAfterInterrupt.set(Thread.currentThread().isInterrupted())));
        awaitState(late, Thread.State.WAITING);
        late.interrupt();
        late.join();
        assertThat(ranAfterInterrupt).isTrue();
    }

    @Test
    void whileServingATurnHeldForAWhileLeavesTheNextOneRestingUntilTheShareIsKept() {
        serving.set(true);
        sharedTurns.step(() -> advance(Duration.ofMillis(4)));
        assertThat(rests).isEmpty();

        sharedTurns.step(() -> { });
        assertThat(rested()).as("three times the 4 ms held, in slices").isEqualTo(Duration.ofMillis(12));
        assertThat(rests).allSatisfy(rest -> assertThat(rest).isLessThanOrEqualTo(StepTurns.REST_SLICE));
    }

    @Test
    void timeSpentWaitingForFalOwesNoRestAndCountsAsOne() {
        serving.set(true);
        sharedTurns.step(() -> {
            advance(Duration.ofMillis(2));
            sharedTurns.waitingFor(() -> advance(Duration.ofMillis(100)));
            advance(Duration.ofMillis(2));
        });
        sharedTurns.step(() -> { });
        assertThat(rested()).as("the rest owed for the 2 ms before the call passed while fal answered; the 2 ms after it are owed")
                .isEqualTo(Duration.ofMillis(6));
    }

    @Test
    void aRestEndsOnceNoCallerWaits() {
        serving.set(true);
        sharedTurns.step(() -> advance(Duration.ofMillis(40)));
        onRest = () -> serving.set(false);
        sharedTurns.step(() -> { });
        assertThat(rests).as("one slice, then the last request ended").hasSize(1);
    }

    @Test
    void withoutRequestsNothingRests() {
        sharedTurns.step(() -> advance(Duration.ofMillis(40)));
        sharedTurns.step(() -> advance(Duration.ofMillis(40)));
        serving.set(true);
        sharedTurns.step(() -> { });
        assertThat(rests).as("no turn was held, so no rest is owed").isEmpty();
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    private Duration rested() {
        return rests.stream().reduce(Duration.ZERO, Duration::plus);
    }

    private void work() {
        working.incrementAndGet();
        await(finish);
    }

    private void startStep(Runnable body) {
        steps.add(Thread.ofPlatform().start(() -> turns.step(body)));
    }

    private void awaitWorking(int count) throws InterruptedException {
        while (working.get() < count) {
            Thread.sleep(5);
        }
        assertThat(working).hasValue(count);
    }

    /** Until {@code count} steps are parked: those working on the latch and those waiting for a turn. */
    private void awaitParked(int count) throws InterruptedException {
        while (steps.stream().filter(step -> step.getState() == Thread.State.WAITING).count() < count) {
            Thread.sleep(5);
        }
    }

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        while (thread.getState() != state) {
            Thread.sleep(5);
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
}
