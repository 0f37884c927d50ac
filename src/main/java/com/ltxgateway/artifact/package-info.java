/**
 * Artifacts: the store the gateway keeps copies of what trainings produced in, on the filesystem or in any
 * S3-compatible service, so that what a team paid for outlives fal's copy.
 */
@ApplicationModule(allowedDependencies = { "access", "audit", "net", "sandbox", "tracking", "training" })
@NullMarked
package com.ltxgateway.artifact;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
