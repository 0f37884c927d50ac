/** The admin API for teams and API keys. */
@NullMarked
package com.ltxgateway.access.web;

import org.jspecify.annotations.NullMarked;
