package com.ltxgateway.access;

import java.util.UUID;

/**
 * Who is calling the API: resolved from the bearer key on every request.
 *
 * @param teamId null for admin keys, which belong to no team
 * @param mode null for admin keys
 */
public record Caller(UUID keyId, String keyPrefix, boolean admin, UUID teamId, String teamSlug, KeyMode mode) {

    /** How the caller appears in the audit log: never the key itself. */
    public String actor() {
        return "api-key:" + keyPrefix;
    }

    public boolean canSee(UUID ownerTeamId) {
        return admin || ownerTeamId.equals(teamId);
    }
}
