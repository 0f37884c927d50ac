package com.ltxgateway.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param refreshInterval how often open training lists ask for changes */
@ConfigurationProperties("gateway.dashboard")
public record DashboardProperties(@DefaultValue("3s") Duration refreshInterval) {
}
