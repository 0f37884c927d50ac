/** The admin API for team budgets. */
@NullMarked
package com.ltxgateway.budget.web;

import org.jspecify.annotations.NullMarked;
