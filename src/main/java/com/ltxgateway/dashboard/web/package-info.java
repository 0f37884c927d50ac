/** The dashboard's pages, forms and error pages, and the helpers their templates use. */
@NullMarked
package com.ltxgateway.dashboard.web;

import org.jspecify.annotations.NullMarked;
