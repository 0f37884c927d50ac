/** The outbound address policy: which URLs the gateway may call on a team's behalf. */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package com.ltxgateway.net;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
