package com.ltxgateway.tracking;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.ltxgateway.web.RequestsInFlight;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Callers come first. While the instance serves requests, at most a few steps of the tracker's work (a training's step,
 * a fal webhook applied, an output file's copy) run at the same time (each holds a turn), and the turns are held for at
 * most a share of the time: a step that held its turn for 4 ms leaves the next one resting 12 ms at a share of a
 * quarter. The rest wait for a turn before their next stretch of work, so a sweep of creates is answered at close to
 * the API's own pace, then tracked; a single turn held back to back would take a core of its own. A step gives its turn
 * up while it waits for something outside the instance (fal, a file's source, an object store): only the instance's
 * own work is paced, never by another service's latency. fal's webhook deliveries count as requests only while they
 * take every place of their {@link FalWebhookIntake}: a trickle of them does not pace an instance nobody waits for,
 * but a flood is answered before fal gives up on it. With no request in flight, steps take no turns and no rests at
 * all, and a rest ends as soon as the last request does. Turns only delay work, never drop it: a step interrupted
 * while it waits goes on without one.
 */
@Component
public final class StepTurns {

    /** How often a rest looks whether callers are still waiting, so the tracker goes on once they are not. */
    static final Duration REST_SLICE = Duration.ofMillis(2);

    private final BooleanSupplier serving;
    private final Semaphore turns;
    /** Rest owed per nanosecond a turn was held: (1 − share) / share. */
    private final double restPerHeld;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    /** Until when (in {@link #nanoTime}) the next turn rests while the instance serves. */
    private final AtomicLong restUntil;
    /** When the step on this thread took its turn; unset outside a step or while it holds none. */
    private final ThreadLocal<Long> heldSince = new ThreadLocal<>();
    /** Whether this thread is in a step at all (a turn held or not). */
    private final ThreadLocal<Boolean> inStep = new ThreadLocal<>();

    @Autowired
    StepTurns(RequestsInFlight requests, FalWebhookIntake falWebhooks, TrackerProperties properties) {
        this(() -> requests.serving() || falWebhooks.full(), properties.concurrencyWhileServing(),
                properties.shareWhileServing(), System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    StepTurns(BooleanSupplier serving, int whileServing, double shareWhileServing, LongSupplier nanoTime, Sleeper sleeper) {
        this.serving = serving;
        this.turns = new Semaphore(whileServing);
        this.restPerHeld = (1 - shareWhileServing) / shareWhileServing;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.restUntil = new AtomicLong(nanoTime.getAsLong());
    }

    /** Runs one step, in turns while requests are being served. */
    public void step(Runnable step) {
        inStep.set(true);
        take();
        try {
            step.run();
        }
        finally {
            giveUp();
            inStep.remove();
        }
    }

    /** {@link #waitingFor(Supplier)} for a call that answers nothing. */
    public void waitingFor(Runnable call) {
        waitingFor(() -> {
            call.run();
            return null;
        });
    }

    /** Waits for something outside the instance without holding a turn; a step takes one again afterwards. */
    public <T> T waitingFor(Supplier<T> call) {
        if (inStep.get() == null) {
            return call.get();
        }
        giveUp();
        try {
            return call.get();
        }
        finally {
            take();
        }
    }

    private void take() {
        if (!serving.getAsBoolean()) {
            return;
        }
        try {
            turns.acquire();
        }
        catch (InterruptedException e) {
            // A stop cuts the wait short: what remains of the step is recorded without a turn.
            Thread.currentThread().interrupt();
            return;
        }
        heldSince.set(rest());
    }

    /** Rests, holding the turn, until the rest owed is over or no caller waits any more; answers when it ended. */
    private long rest() {
        long now = nanoTime.getAsLong();
        try {
            while (now - restUntil.get() < 0 && serving.getAsBoolean()) {
                sleeper.sleep(Math.min(restUntil.get() - now, REST_SLICE.toNanos()));
                now = nanoTime.getAsLong();
            }
        }
        catch (InterruptedException e) {
            // A stop cuts the rest short as it does a wait for a turn; the turn is given up with the step.
            Thread.currentThread().interrupt();
        }
        return now;
    }

    private void giveUp() {
        Long since = heldSince.get();
        if (since == null) {
            return;
        }
        heldSince.remove();
        long now = nanoTime.getAsLong();
        long owed = (long) ((now - since) * restPerHeld);
        // Rests owed by turns held side by side add up, so the turns together stay within the share.
        restUntil.accumulateAndGet(now, (until, at) -> (until - at > 0 ? until : at) + owed);
        turns.release();
    }

    /** Sleeps this thread; a seam so that tests can rest on a settable clock. */
    @FunctionalInterface
    interface Sleeper {

        void sleep(long nanos) throws InterruptedException;
    }
}
