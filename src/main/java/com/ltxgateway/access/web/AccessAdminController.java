package com.ltxgateway.access.web;

import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.access.ApiKeyNotFound;
import com.ltxgateway.access.ApiKeySummary;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.access.NewKey;
import com.ltxgateway.access.NewTeam;
import com.ltxgateway.access.TeamSummary;
import com.ltxgateway.access.ThrottleAdministration;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.access.AccessAdministration.IssuedKey;

import jakarta.validation.Valid;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: teams and keys", description = "Teams, their API keys and the throttles on guessing them; admin keys only.")
@RequestMapping("/v1/admin")
class AccessAdminController {

    private final AccessAdministration administration;
    private final ThrottleAdministration throttles;

    AccessAdminController(AccessAdministration administration, ThrottleAdministration throttles) {
        this.administration = administration;
        this.throttles = throttles;
    }

    @PostMapping("/teams")
    @Operation(summary = "Create a team")
    ResponseEntity<TeamView> createTeam(@AuthenticationPrincipal Caller caller, @Valid @RequestBody NewTeam body) {
        TeamSummary team = administration.createTeam(caller.actor(), body.slug(), body.name().strip());
        return ResponseEntity.created(URI.create("/v1/admin/teams/" + team.slug())).body(TeamView.of(team));
    }

    @GetMapping("/teams")
    @Operation(summary = "List teams")
    ListOf<TeamView> teams() {
        return new ListOf<>(administration.teams().stream().map(TeamView::of).toList());
    }

    @PostMapping("/teams/{slug}/api-keys")
    @Operation(summary = "Issue an API key for a team; the key is shown only in this answer")
    ResponseEntity<KeyView> createKey(@AuthenticationPrincipal Caller caller, @PathVariable String slug,
            @Valid @RequestBody NewKey body) {
        IssuedKey issued = administration.createKey(caller.actor(), slug, body.name().strip(),
                KeyMode.fromWireName(body.mode()));
        return ResponseEntity.created(URI.create("/v1/admin/teams/" + slug + "/api-keys"))
                .body(KeyView.of(issued.key(), issued.plaintext()));
    }

    @GetMapping("/teams/{slug}/api-keys")
    @Operation(summary = "List a team's API keys")
    ListOf<KeyView> keys(@PathVariable String slug) {
        return new ListOf<>(administration.keysOf(slug).stream().map(k -> KeyView.of(k, null)).toList());
    }

    @DeleteMapping("/api-keys/{id}")
    @Operation(summary = "Revoke an API key")
    KeyView revoke(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        UUID keyId;
        try {
            keyId = UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw new ApiKeyNotFound(id);
        }
        return KeyView.of(administration.revokeKey(caller.actor(), keyId), null);
    }

    @DeleteMapping("/throttles/sign-ins/{username}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Let a dashboard user whose failed sign-ins are throttled try again at once")
    void clearSignIns(@AuthenticationPrincipal Caller caller, @PathVariable String username) {
        throttles.clearSignIns(caller.actor(), username);
    }

    @DeleteMapping("/throttles/addresses/{address}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Forget a client address's failed sign-ins and unknown API keys")
    void clearAddress(@AuthenticationPrincipal Caller caller, @PathVariable String address) {
        throttles.clearAddress(caller.actor(), address);
    }

    record ListOf<T>(List<T> data) {
    }

    record TeamView(String slug, String name, Instant createdAt) {

        static TeamView of(TeamSummary team) {
            return new TeamView(team.slug(), team.name(), team.createdAt());
        }
    }

    /** {@code key} is present only in the response that creates the key. */
    record KeyView(UUID id, String team, String name, String mode, String role, String prefix, String key,
            Instant createdAt, Instant lastUsedAt, Instant revokedAt) {

        static KeyView of(ApiKeySummary key, String plaintext) {
            return new KeyView(key.id(), key.team(), key.name(), key.mode() == null ? null : key.mode().wireName(),
                    key.admin() ? "admin" : "team", key.prefix(), plaintext, key.createdAt(), key.lastUsedAt(),
                    key.revokedAt());
        }
    }
}
