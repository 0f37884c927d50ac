package com.ltxgateway.training;

import java.util.Optional;

/** The row lock every writer of a training takes: a fragment of {@link TrainingRepository}. */
interface TrainingLocks {

    /** Serializes every writer of one training: tracker, webhook receiver, reconciliation and API cancel. */
    Optional<Training> findForUpdate(String id);
}
