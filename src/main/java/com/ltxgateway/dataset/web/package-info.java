@NullMarked
package com.ltxgateway.dataset.web;

import org.jspecify.annotations.NullMarked;
