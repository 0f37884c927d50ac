package com.ltxgateway.training;

import java.util.Optional;

import jakarta.persistence.LockModeType;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface TrainingRepository extends JpaRepository<Training, String> {

    /** Serializes every writer of one training: tracker, webhook receiver and API cancel. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select t from Training t where t.id = :id")
    Optional<Training> findForUpdate(String id);
}
