/**
 * The way out: the one HTTP client every outbound call goes through (its pool, timeouts and the words for why a call
 * got no answer), and the outbound address policy, which URLs the gateway may call on a team's behalf.
 */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package com.ltxgateway.net;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
