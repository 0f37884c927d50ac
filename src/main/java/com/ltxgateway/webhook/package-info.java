/** Signed deliveries of training and budget events to the teams' receivers, through an outbox. */
@ApplicationModule(allowedDependencies = { "access", "audit", "budget", "net", "training" })
@NullMarked
package com.ltxgateway.webhook;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
