/** Teams, API keys and who a caller is: the API's authentication. */
@ApplicationModule(allowedDependencies = { "audit", "throttle" })
@NullMarked
package com.ltxgateway.access;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
