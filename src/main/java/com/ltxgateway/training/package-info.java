/**
 * Trainings: the API, the input contract, the lifecycle and its one path of state changes, the timeline and
 * idempotency. Knows nothing of fal's protocol: tracking translates between the two.
 */
@ApplicationModule(allowedDependencies = { "access", "audit", "net" })
@NullMarked
package com.ltxgateway.training;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
