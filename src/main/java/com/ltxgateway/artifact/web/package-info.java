@NullMarked
package com.ltxgateway.artifact.web;

import org.jspecify.annotations.NullMarked;
