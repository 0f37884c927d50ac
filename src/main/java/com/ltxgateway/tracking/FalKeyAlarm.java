package com.ltxgateway.tracking;

import java.time.Clock;
import java.time.Instant;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Whether fal refuses the gateway's key (401/403): a configuration fault (a rotated or revoked FAL_KEY) that fails no
 * training, but stops them all, so it must be loud. Logged once as an error when it starts and once when fal takes
 * the key again, shown on the dashboard, and exposed as {@code gateway_fal_key_refused} (1 while refused) to alert on.
 */
@Component
public class FalKeyAlarm implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(FalKeyAlarm.class);

    private final Clock clock;
    private volatile Instant refusedSince;
    private volatile String reason;

    FalKeyAlarm(Clock clock) {
        this.clock = clock;
    }

    /** Since when fal has refused the key, or null while it takes it. */
    public Instant refusedSince() {
        return refusedSince;
    }

    /** What fal answered the last refused call, e.g. "HTTP 401 fal refused the key". */
    public String reason() {
        return reason;
    }

    void refused(String why) {
        reason = why;
        if (refusedSince == null) {
            refusedSince = clock.instant();
            log.error("fal refuses the gateway's key ({}): no training can be submitted or followed until FAL_KEY is"
                    + " fixed; nothing fails meanwhile, every call is retried", why);
        }
    }

    void accepted() {
        if (refusedSince != null) {
            log.info("fal takes the gateway's key again (refused since {})", refusedSince);
            refusedSince = null;
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gateway.fal.key.refused", this, alarm -> alarm.refusedSince == null ? 0 : 1)
                .description("1 while fal answers the gateway's calls with 401 or 403 (FAL_KEY wrong or rotated)")
                .register(registry);
    }
}
