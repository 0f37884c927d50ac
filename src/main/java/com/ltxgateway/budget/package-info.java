/**
 * Team budgets: a monthly limit in USD that every create of a live training is held to, whatever the concurrency, and
 * what is left of it. What a month has spent is derived from its trainings, never kept as a running total.
 */
@ApplicationModule(allowedDependencies = { "access", "audit", "training" })
@NullMarked
package com.ltxgateway.budget;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
