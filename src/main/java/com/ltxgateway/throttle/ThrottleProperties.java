package com.ltxgateway.throttle;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How much guessing the gateway tolerates. Each limit is a token bucket of {@code n} attempts refilled evenly over its
 * window: once it is empty, one more attempt is allowed every window / n. Zero switches that limit off.
 *
 * @param signIn failed dashboard sign-ins
 * @param unknownApiKeys requests with an API key the gateway does not know (or has revoked)
 */
@ConfigurationProperties("gateway.throttle")
public record ThrottleProperties(@DefaultValue SignIn signIn, @DefaultValue UnknownApiKeys unknownApiKeys) {

    /**
     * @param perUser failed sign-ins allowed per user name within the window, from anywhere
     * @param perAddress failed sign-ins allowed per client address (an IPv6 /64) within the window, whatever the name
     * @param window the window; a burst of refusals ends after a window without one
     */
    public record SignIn(@DefaultValue("10") int perUser, @DefaultValue("30") int perAddress,
            @DefaultValue("15m") Duration window) {
    }

    /**
     * @param perAddress unknown API keys allowed per client address (an IPv6 /64) within the window; past it every
     * API-key request from that address is refused until the bucket refills
     * @param window the window; a burst of refusals ends after a window without one
     */
    public record UnknownApiKeys(@DefaultValue("100") int perAddress, @DefaultValue("10m") Duration window) {
    }
}
