package com.ltxgateway.training;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.LockModeType;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface TrainingRepository extends JpaRepository<Training, String>, TrainingLocks {

    /**
     * The training with its row locked until the transaction ends, for a caller whose fence holds. The fence is
     * checked after the lock, inside the caller's transaction, so the caller's claim cannot be taken over between the
     * check and the change that follows it.
     *
     * @throws TrainingNotFound when there is no such training
     */
    default Training lock(String id, Fence fence) {
        Training training = findForUpdate(id).orElseThrow(() -> new TrainingNotFound(id));
        fence.check();
        return training;
    }

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from Training t where t.falRequestId = :falRequestId")
    Optional<Training> findByFalRequestIdForUpdate(String falRequestId);

    /** Pending trainings with a submit attempt that is in flight or unconfirmed, oldest attempt first. */
    @Query("""
            select t from Training t
            where t.status = :pending and t.falRequestId is null and t.submitAttemptedAt is not null
            order by t.submitAttemptedAt""")
    List<Training> findOpenSubmits(TrainingStatus pending);

    default List<Training> findOpenSubmits() {
        return findOpenSubmits(TrainingStatus.PENDING);
    }

    /** A team's trainings waiting for a turn at fal, oldest first. */
    @Query("""
            select t from Training t
            where t.teamId = :teamId and t.status = :pending and t.waitingReason is not null
            order by t.createdAt, t.id limit :limit""")
    List<Training> findWaiting(UUID teamId, TrainingStatus pending, int limit);
}
