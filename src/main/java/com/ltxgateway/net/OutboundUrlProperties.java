package com.ltxgateway.net;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param allowedHosts host names, addresses or CIDR ranges ({@code GATEWAY_WEBHOOKS_ALLOWED_HOSTS}, comma-separated)
 * that outbound webhooks may reach although they are loopback, private or otherwise internal. Empty by default:
 * a team must not be able to make the gateway call into the company's own network.
 */
@ConfigurationProperties("gateway.webhooks")
public record OutboundUrlProperties(@DefaultValue List<String> allowedHosts) {
}
