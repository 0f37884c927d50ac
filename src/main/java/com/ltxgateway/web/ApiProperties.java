package com.ltxgateway.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** @param maxBodySize largest accepted request body; the largest valid training request is about 200 KB */
@ConfigurationProperties("gateway.api")
record ApiProperties(@DefaultValue("512KB") DataSize maxBodySize) {
}
