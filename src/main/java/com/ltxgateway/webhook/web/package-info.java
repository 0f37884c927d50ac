/** The admin API for team webhook endpoints, signing secrets and deliveries. */
@NullMarked
package com.ltxgateway.webhook.web;

import org.jspecify.annotations.NullMarked;
