package com.ltxgateway.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findBySecretSha256(byte[] secretSha256);

    List<ApiKey> findByTeamIdOrderByCreatedAtAsc(UUID teamId);

    List<ApiKey> findByBootstrapTrueAndRevokedAtIsNull();

    @Modifying
    @Query("update ApiKey k set k.lastUsedAt = :now where k.id = :id")
    void touch(UUID id, Instant now);
}
