/** fal's protocols: the queue and Platform API adapters and fal's webhook signatures. Knows nothing of trainings. */
@ApplicationModule(allowedDependencies = { "net" })
@NullMarked
package com.ltxgateway.fal;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
