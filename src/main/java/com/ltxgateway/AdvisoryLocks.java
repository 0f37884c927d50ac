package com.ltxgateway;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Jobs that must run on one instance at a time (purges, the re-sealing of secrets) take a PostgreSQL advisory lock
 * named after the job for their transaction: an instance that finds it taken skips the run, and PostgreSQL releases
 * it whatever happens to the instance holding it.
 */
public final class AdvisoryLocks {

    private AdvisoryLocks() {
    }

    /** True when the caller's transaction now holds the lock named {@code name}; never waits. Call it in a transaction. */
    public static boolean tryForTransaction(JdbcClient jdbc, String name) {
        return Boolean.TRUE.equals(jdbc.sql("select pg_try_advisory_xact_lock(hashtextextended(?, 0))").param(name)
                .query(Boolean.class).single());
    }
}
