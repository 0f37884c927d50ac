/** fal's request listing and billing events read against the trainings: lost submits adopted, orphans canceled, costs. */
@ApplicationModule(allowedDependencies = { "fal", "tracking", "training" })
@NullMarked
package com.ltxgateway.reconciliation;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
