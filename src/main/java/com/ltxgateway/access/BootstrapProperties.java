package com.ltxgateway.access;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * First credentials of a new installation.
 *
 * @param adminKey when set, an admin API key with exactly this value exists (older bootstrap keys are revoked)
 * @param adminUsername the first dashboard admin
 * @param adminPassword the first dashboard admin's password: at least {@value #MIN_PASSWORD_LENGTH} characters, of
 * at least {@value #MIN_DISTINCT_CHARACTERS} different ones
 * @param adminPasswordReset when the admin exists with another password, set it to {@code adminPassword}: an admin's
 * explicit request (a restart never changes a password otherwise); remove the flag once applied
 */
@ConfigurationProperties("gateway.bootstrap")
public record BootstrapProperties(String adminKey, @DefaultValue("admin") String adminUsername, String adminPassword,
        @DefaultValue("false") boolean adminPasswordReset) {

    public static final int MIN_PASSWORD_LENGTH = 12;
    public static final int MIN_DISTINCT_CHARACTERS = 6;

    public BootstrapProperties {
        if (adminPassword != null && !adminPassword.isEmpty()
                && (adminPassword.length() < MIN_PASSWORD_LENGTH || adminPassword.chars().distinct().count() < MIN_DISTINCT_CHARACTERS)) {
            throw new IllegalArgumentException("gateway.bootstrap.admin-password must have at least " + MIN_PASSWORD_LENGTH
                    + " characters, of at least " + MIN_DISTINCT_CHARACTERS + " different ones (for example from 'openssl rand -base64 18')");
        }
    }

    @Override
    public String toString() {
        return "BootstrapProperties[adminUsername=" + adminUsername + ", adminPasswordReset=" + adminPasswordReset + "]";
    }
}
