package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepTurnsTests {

    private final AtomicBoolean serving = new AtomicBoolean();
    private final StepTurns turns = new StepTurns(serving::get, 2);
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
