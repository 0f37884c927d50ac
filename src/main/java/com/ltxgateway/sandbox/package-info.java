/** A fal simulator speaking fal's queue protocol, for sandbox keys: nothing reaches fal, nothing costs money. */
@ApplicationModule(allowedDependencies = { "fal", "net" })
@NullMarked
package com.ltxgateway.sandbox;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
