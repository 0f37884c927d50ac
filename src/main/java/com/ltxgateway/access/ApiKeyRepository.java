package com.ltxgateway.access;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findBySecretSha256(byte[] secretSha256);

    List<ApiKey> findByTeamIdOrderByCreatedAtAsc(UUID teamId);

    List<ApiKey> findByBootstrapTrueAndRevokedAtIsNull();
}
