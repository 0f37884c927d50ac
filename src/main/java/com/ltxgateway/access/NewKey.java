package com.ltxgateway.access;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** An API key to issue, as the admin API and the dashboard's form take it. */
public record NewKey(
        @NotBlank @Size(max = 100) @Pattern(regexp = NewTeam.NAME_PATTERN, message = NewTeam.NAME_MESSAGE) String name,
        @NotNull @Pattern(regexp = "live|sandbox", message = "must be live or sandbox") String mode) {
}
