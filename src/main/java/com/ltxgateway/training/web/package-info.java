/** The training API: create, validate, read, list, cancel, the timeline and the admin's resubmit, and their OpenAPI description. */
@NullMarked
package com.ltxgateway.training.web;

import org.jspecify.annotations.NullMarked;
