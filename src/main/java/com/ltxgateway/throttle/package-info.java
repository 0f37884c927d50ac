/**
 * Throttles for guessing: failed dashboard sign-ins per user name and per client address, unknown API keys per client
 * address. Token buckets (Bucket4j) whose state lives in PostgreSQL, so every replica counts against the same buckets.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package com.ltxgateway.throttle;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
