/** fal's webhooks, received. */
@NullMarked
package com.ltxgateway.tracking.web;

import org.jspecify.annotations.NullMarked;
