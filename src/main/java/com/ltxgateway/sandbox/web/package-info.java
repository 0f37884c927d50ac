/** The simulator's HTTP side: fal's queue protocol, its webhook keys and the files its trainings produce. */
@NullMarked
package com.ltxgateway.sandbox.web;

import org.jspecify.annotations.NullMarked;
