/**
 * The proxy facade: fal's own clients ({@code @fal-ai/client} with {@code proxyUrl}, fal-java's proxy interceptor)
 * speak fal's server-proxy protocol to the gateway, and every call is the gateway's own: a submit is a training
 * create, status and result come from the gateway's database in fal's shapes, a cancel is the training's cancel.
 */
@ApplicationModule(allowedDependencies = { "access", "dataset", "fal", "training" })
@NullMarked
package com.ltxgateway.proxy;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
