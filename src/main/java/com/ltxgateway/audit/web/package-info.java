/** The admin API for the audit log. */
@NullMarked
package com.ltxgateway.audit.web;

import org.jspecify.annotations.NullMarked;
