/** The work queue and the tracker that follows each training at fal to its end, and fal's webhook receiver. */
@ApplicationModule(allowedDependencies = { "access", "fal", "sandbox", "training", "web" })
@NullMarked
package com.ltxgateway.tracking;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
