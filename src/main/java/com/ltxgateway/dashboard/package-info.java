/** The admin web UI: server-rendered pages over the other modules' public APIs. */
@ApplicationModule(allowedDependencies = { "access", "artifact", "audit", "budget", "dataset", "net", "reconciliation", "throttle", "tracking", "training", "webhook" })
@NullMarked
package com.ltxgateway.dashboard;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
