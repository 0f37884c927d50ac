/** How the API answers over HTTP: RFC 9457 problems, body limits, request ids, the OpenAPI document. */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package com.ltxgateway.web;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
