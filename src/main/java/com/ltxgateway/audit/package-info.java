/** Who did what, and when: the audit log every admin action writes to. */
@ApplicationModule(allowedDependencies = {})
@NullMarked
package com.ltxgateway.audit;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
