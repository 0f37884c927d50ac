package com.ltxgateway.dashboard;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who of the people an OpenID Connect provider signs in is a dashboard admin: those with a claim of a given value
 * (a group or role the provider puts in the ID token), or with a verified email address in a given domain. With
 * neither set nobody is, so enabling the provider alone opens the dashboard to no one.
 *
 * @param adminClaim {@code name=value}, e.g. {@code groups=gateway-admins}; the claim may be a string or a list
 * @param adminEmailDomain e.g. {@code example.com}; only an {@code email_verified} address counts
 */
@ConfigurationProperties("gateway.dashboard.oidc")
record OidcAdminRule(String adminClaim, String adminEmailDomain) {

    OidcAdminRule {
        if (adminClaim != null && !adminClaim.isBlank() && !adminClaim.matches("[^=\\s]+=.+")) {
            throw new IllegalArgumentException("gateway.dashboard.oidc.admin-claim must be name=value, not " + adminClaim);
        }
    }

    boolean isAdmin(Map<String, Object> claims) {
        return hasAdminClaim(claims) || hasAdminEmail(claims);
    }

    private boolean hasAdminClaim(Map<String, Object> claims) {
        if (adminClaim == null || adminClaim.isBlank()) {
            return false;
        }
        int equals = adminClaim.indexOf('=');
        String wanted = adminClaim.substring(equals + 1);
        return switch (claims.get(adminClaim.substring(0, equals))) {
            case String value -> value.equals(wanted);
            case Collection<?> values -> values.contains(wanted);
            case null, default -> false;
        };
    }

    private boolean hasAdminEmail(Map<String, Object> claims) {
        if (adminEmailDomain == null || adminEmailDomain.isBlank()
                || !(claims.get("email") instanceof String email) || !Boolean.TRUE.equals(claims.get("email_verified"))) {
            return false;
        }
        return email.toLowerCase(Locale.ROOT).endsWith("@" + adminEmailDomain.strip().toLowerCase(Locale.ROOT));
    }
}
