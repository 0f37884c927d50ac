package com.ltxgateway.training;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

/**
 * What a team may still spend, asked by every create of a live training inside the transaction that stores it. The
 * feature that keeps the limits implements it; without one, nothing is limited.
 */
public interface SpendLimits {

    /**
     * Reserves {@code usd} for a training about to be stored in the caller's transaction, or refuses it. An
     * implementation must make concurrent reservations of one team wait for each other until the transaction ends,
     * so that no two of them both fit into what is left.
     *
     * @throws RuntimeException a problem the API answers (a budget exceeded) when the team may not spend it
     */
    void reserve(UUID teamId, BigDecimal usd);

    /** What the team may still spend this period; empty when it has no limit. */
    Optional<BigDecimal> remaining(UUID teamId);
}
