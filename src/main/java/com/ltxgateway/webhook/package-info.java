/** Signed deliveries of training events to the teams' receivers, through an outbox. */
@ApplicationModule(allowedDependencies = { "access", "audit", "net", "training" })
@NullMarked
package com.ltxgateway.webhook;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
