package com.ltxgateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A {@link ClaimLoop} run as part of the application's lifecycle: started after the web server and the database pool,
 * stopped before them, and stopped asynchronously, so the loops of one instance wait out their graces side by side.
 */
public abstract class ClaimLoopLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClaimLoopLifecycle.class);

    /** The loop this runs; built by the subclass, whose work it does. */
    protected abstract ClaimLoop<?> loop();

    /** What the log calls it, e.g. "Tracker host/1a2b3c4d". */
    protected abstract String description();

    /** Whether this instance runs the loop at all; a subclass that says no says why in the log. */
    protected boolean runsHere() {
        return true;
    }

    @Override
    public void start() {
        if (runsHere()) {
            loop().start();
            log.info("{} started", description());
        }
    }

    @Override
    public void stop() {
        if (loop().isRunning()) {
            loop().stop();
            log.info("{} stopped", description());
        }
    }

    @Override
    public void stop(Runnable callback) {
        if (!loop().isRunning()) {
            callback.run();
            return;
        }
        loop().stop(() -> {
            log.info("{} stopped", description());
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return loop().isRunning();
    }

    @Override
    public int getPhase() {
        // Stop before the web server and the database pool go away, start after them.
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }
}
