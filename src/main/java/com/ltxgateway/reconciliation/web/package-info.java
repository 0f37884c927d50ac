/** The admin API for fal orphans. */
@NullMarked
package com.ltxgateway.reconciliation.web;

import org.jspecify.annotations.NullMarked;
