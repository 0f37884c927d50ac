package com.ltxgateway.training;

import com.ltxgateway.access.KeyMode;

/**
 * Whether trainings of a mode can go where they are trained: live ones to fal (the gateway needs its fal key),
 * sandbox ones to the simulator (the sandbox must be on). The feature that sends them there answers.
 */
public interface TrainingDestinations {

    boolean available(KeyMode mode);
}
