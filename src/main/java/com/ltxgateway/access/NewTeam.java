package com.ltxgateway.access;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A team to create, as the admin API and the dashboard's form take it; the rules are checked by Bean Validation. */
public record NewTeam(
        @NotNull @Pattern(regexp = NewTeam.SLUG_PATTERN, message = "must be 1 to 40 lowercase letters, digits or inner hyphens") String slug,
        @NotBlank @Size(max = 200) @Pattern(regexp = NewTeam.NAME_PATTERN, message = NewTeam.NAME_MESSAGE) String name) {

    public static final String SLUG_PATTERN = "[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?";
    /** No control characters (PostgreSQL cannot store U+0000) and no unpaired surrogates (no UTF-8 form). */
    static final String NAME_PATTERN = "[^\\p{Cc}\\p{Cs}]*";
    static final String NAME_MESSAGE = "must not contain control characters or unpaired surrogates";
}
