package com.ltxgateway.tracking;

import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.ltxgateway.web.RequestsInFlight;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Callers come first. While the instance serves requests, at most a few steps of the tracker's work (a training's step,
 * a fal webhook applied, an output file's copy) run at the same time (each holds a turn); the rest wait for a turn
 * before their next stretch of work, so requests and background work do not share the CPU one for one and a sweep of
 * creates is answered at once, then tracked. A step gives its turn up while it waits for something outside the
 * instance (fal, a file's source, an object store): only the instance's own work is paced, never by another service's
 * latency. With no request in flight, steps take no turns at all. Turns only delay work, never drop it: a step interrupted while it waits goes
 * on without one.
 */
@Component
public final class StepTurns {

    private final BooleanSupplier serving;
    private final Semaphore turns;
    /** Whether the step on this thread holds a turn; unset outside a step. */
    private final ThreadLocal<Boolean> held = new ThreadLocal<>();

    @Autowired
    StepTurns(RequestsInFlight requests, TrackerProperties properties) {
        this(requests::serving, properties.concurrencyWhileServing());
    }

    StepTurns(BooleanSupplier serving, int whileServing) {
        this.serving = serving;
        this.turns = new Semaphore(whileServing);
    }

    /** Runs one step, in turns while requests are being served. */
    public void step(Runnable step) {
        held.set(take());
        try {
            step.run();
        }
        finally {
            giveUp();
            held.remove();
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
        if (held.get() == null) {
            return call.get();
        }
        giveUp();
        try {
            return call.get();
        }
        finally {
            held.set(take());
        }
    }

    private boolean take() {
        if (!serving.getAsBoolean()) {
            return false;
        }
        try {
            turns.acquire();
            return true;
        }
        catch (InterruptedException e) {
            // A stop cuts the wait short: what remains of the step is recorded without a turn.
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void giveUp() {
        if (Boolean.TRUE.equals(held.get())) {
            turns.release();
            held.set(false);
        }
    }
}
