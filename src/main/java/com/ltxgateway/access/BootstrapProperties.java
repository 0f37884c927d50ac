package com.ltxgateway.access;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * First credentials of a new installation.
 *
 * @param adminKey when set, an admin API key with exactly this value exists (older bootstrap keys are revoked)
 * @param adminUsername the first dashboard admin
 * @param adminPassword the first dashboard admin's password
 */
@ConfigurationProperties("gateway.bootstrap")
public record BootstrapProperties(String adminKey, @DefaultValue("admin") String adminUsername, String adminPassword) {

    @Override
    public String toString() {
        return "BootstrapProperties[adminUsername=" + adminUsername + "]";
    }
}
