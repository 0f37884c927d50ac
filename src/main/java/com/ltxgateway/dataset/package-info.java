/**
 * Datasets: the zips of clips trainings learn from, uploaded through the gateway into its artifact store and
 * inspected before any training pays for them: too few clips, images, duplicate names, unpaired captions, clips
 * shorter than a training's frames, zip bombs.
 */
@ApplicationModule(allowedDependencies = { "access", "artifact", "audit", "fal", "net", "training" })
@NullMarked
package com.ltxgateway.dataset;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
