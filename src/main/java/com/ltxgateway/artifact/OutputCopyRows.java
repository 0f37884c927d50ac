package com.ltxgateway.artifact;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.ltxgateway.training.OutputCopies;
import com.ltxgateway.training.TrainingOutputs;
import com.ltxgateway.training.TrainingOutputs.OutputFile;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The copy jobs in {@code output_copy}: added with the success that asks for them, claimed under a lease, settled by
 * the claim that holds it (every write names its claim, so a claim taken over changes nothing).
 */
@Component
class OutputCopyRows implements OutputCopies {

    private final JdbcClient jdbc;
    private final Clock clock;

    OutputCopyRows(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One claim of one copy. */
    record ClaimedCopy(String trainingId, String name, String sourceUrl, @Nullable String contentType, @Nullable Long expectedSize,
            String owner, long claim, int attempts, Instant createdAt) {

        ArtifactKey key() {
            return ArtifactKey.of(trainingId, name);
        }
    }

    /** A stored copy, as downloads serve it. */
    record StoredCopy(String trainingId, String name, @Nullable String contentType, @Nullable String fileName, long size, String sha256) {
    }

    /** Joins the transaction that records the success: a succeeded training never lacks its copy jobs. */
    @Transactional(propagation = Propagation.MANDATORY)
    void add(String trainingId, List<OutputFile> files) {
        Timestamp now = Timestamp.from(clock.instant());
        for (OutputFile file : files) {
            jdbc.sql("""
                    insert into output_copy (training_id, name, source_url, content_type, file_name, expected_size, state, due_at, created_at)
                    values (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                    on conflict do nothing""")
                    .params(trainingId, file.name(), truncate(file.url(), 2048), truncate(file.contentType(), 200),
                            truncate(file.fileName(), 300), file.fileSize(), now, now)
                    .update();
        }
    }

    /** The claimed copies of one training, settled together. */
    record ClaimedTraining(String trainingId, List<ClaimedCopy> copies) {
    }

    /**
     * Claims the due copies of at most {@code trainings} trainings, each training's together, so that they are settled
     * in one transaction. A training whose copies fall due at different times (one retried, say) may be claimed in
     * parts; settling takes turns per training, so parts are settled correctly too.
     */
    @Transactional
    List<ClaimedTraining> claim(String owner, int trainings, Duration lease) {
        Instant now = clock.instant();
        Timestamp until = Timestamp.from(now.plus(lease));
        List<ClaimedCopy> copies = jdbc.sql("""
                with due as (
                    select training_id, name, due_at from output_copy
                    where due_at <= ? and (lease_until is null or lease_until < ?)
                    order by due_at, training_id
                    limit ?
                    for update skip locked),
                first_trainings as (
                    select training_id from due group by training_id order by min(due_at), training_id limit ?)
                update output_copy c set lease_owner = ?, lease_until = ?, due_at = ?, claim_count = c.claim_count + 1,
                    attempts = c.attempts + 1
                from due
                where c.training_id = due.training_id and c.name = due.name
                    and due.training_id in (select training_id from first_trainings)
                returning c.training_id, c.name, c.source_url, c.content_type, c.expected_size, c.claim_count, c.attempts, c.created_at""")
                .params(Timestamp.from(now), Timestamp.from(now), trainings * TrainingOutputs.FILE_FIELDS.size(), trainings, owner,
                        until, until)
                .query((rs, n) -> new ClaimedCopy(rs.getString("training_id"), rs.getString("name"), rs.getString("source_url"),
                        rs.getString("content_type"), rs.getObject("expected_size", Long.class), owner, rs.getLong("claim_count"),
                        rs.getInt("attempts"), rs.getTimestamp("created_at").toInstant()))
                .list();
        Map<String, List<ClaimedCopy>> byTraining = new LinkedHashMap<>();
        copies.forEach(copy -> byTraining.computeIfAbsent(copy.trainingId(), id -> new ArrayList<>()).add(copy));
        return byTraining.entrySet().stream().map(training -> new ClaimedTraining(training.getKey(), List.copyOf(training.getValue())))
                .toList();
    }

    /** Extends the leases of claims still held while their copies run. */
    void renew(List<ClaimedTraining> trainings, Duration lease) {
        Timestamp until = Timestamp.from(clock.instant().plus(lease));
        for (ClaimedCopy copy : copiesOf(trainings)) {
            jdbc.sql("update output_copy set lease_until = ?, due_at = ? where training_id = ? and name = ? and lease_owner = ? and claim_count = ?")
                    .params(until, until, copy.trainingId(), copy.name(), copy.owner(), copy.claim())
                    .update();
        }
    }

    /** A stopping instance's claims, due at once for another. */
    void handBack(List<ClaimedTraining> trainings) {
        for (ClaimedCopy copy : copiesOf(trainings)) {
            jdbc.sql("""
                    update output_copy set due_at = ?, lease_owner = null, lease_until = null
                    where training_id = ? and name = ? and lease_owner = ? and claim_count = ?""")
                    .params(Timestamp.from(clock.instant()), copy.trainingId(), copy.name(), copy.owner(), copy.claim())
                    .update();
        }
    }

    /** The copy is in the store. Returns false when the claim was taken over meanwhile. */
    boolean stored(ClaimedCopy copy, long size, String sha256) {
        return settle(copy, "stored", size, sha256, null);
    }

    /** The file is gone at its source (or never was there): it is not tried again. */
    boolean lost(ClaimedCopy copy, String why) {
        return settle(copy, "lost", null, null, why);
    }

    /** The file is not from an allowed source: it is not fetched. */
    boolean refused(ClaimedCopy copy, String why) {
        return settle(copy, "refused", null, null, why);
    }

    /** This attempt failed; the next is due after {@code wait}. Returns false when the claim was taken over meanwhile. */
    boolean failed(ClaimedCopy copy, String why, Duration wait) {
        Instant now = clock.instant();
        return jdbc.sql("""
                update output_copy set due_at = ?, lease_owner = null, lease_until = null, last_error = ?
                where training_id = ? and name = ? and lease_owner = ? and claim_count = ?""")
                .params(Timestamp.from(now.plus(wait)), truncate(why, 500), copy.trainingId(), copy.name(), copy.owner(), copy.claim())
                .update() == 1;
    }

    private boolean settle(ClaimedCopy copy, String state, @Nullable Long size, @Nullable String sha256, @Nullable String why) {
        return jdbc.sql("""
                update output_copy set state = ?, size_bytes = ?, sha256 = ?, last_error = ?, settled_at = ?, due_at = null,
                    lease_owner = null, lease_until = null
                where training_id = ? and name = ? and lease_owner = ? and claim_count = ?""")
                .params(state, size, sha256, truncate(why, 500), Timestamp.from(clock.instant()), copy.trainingId(), copy.name(),
                        copy.owner(), copy.claim())
                .update() == 1;
    }

    /** A stored copy of the training's output file, if there is one. */
    @Transactional(readOnly = true)
    java.util.Optional<StoredCopy> findStored(String trainingId, String name) {
        return jdbc.sql("""
                select training_id, name, content_type, file_name, size_bytes, sha256 from output_copy
                where training_id = ? and name = ? and state = 'stored'""")
                .params(trainingId, name)
                .query((rs, n) -> new StoredCopy(rs.getString("training_id"), rs.getString("name"), rs.getString("content_type"),
                        rs.getString("file_name"), rs.getLong("size_bytes"), rs.getString("sha256")))
                .optional();
    }

    /**
     * The copies at a glance: how many are stored and their bytes, pending (and of those, failed at least once), lost and
     * refused.
     */
    record Summary(long stored, long storedBytes, long pending, long failing, long lost, long refused) {
    }

    @Transactional(readOnly = true)
    Summary summary() {
        return jdbc.sql("""
                select count(*) filter (where state = 'stored') as stored,
                       coalesce(sum(size_bytes) filter (where state = 'stored'), 0) as stored_bytes,
                       count(*) filter (where state = 'pending') as pending,
                       count(*) filter (where state = 'pending' and last_error is not null) as failing,
                       count(*) filter (where state = 'lost') as lost,
                       count(*) filter (where state = 'refused') as refused
                from output_copy""")
                .query((rs, n) -> new Summary(rs.getLong("stored"), rs.getLong("stored_bytes"), rs.getLong("pending"),
                        rs.getLong("failing"), rs.getLong("lost"), rs.getLong("refused")))
                .single();
    }

    /** The newest copies that are lost, refused or failing, newest first. */
    @Transactional(readOnly = true)
    List<Trouble> troubles(int limit) {
        return jdbc.sql("""
                select training_id, name, state, attempts, last_error, coalesce(settled_at, created_at) as at from output_copy
                where state in ('lost', 'refused') or (state = 'pending' and last_error is not null)
                order by coalesce(settled_at, created_at) desc limit ?""")
                .param(limit)
                .query((rs, n) -> new Trouble(rs.getString("training_id"), rs.getString("name"), rs.getString("state"),
                        rs.getInt("attempts"), rs.getString("last_error"), rs.getTimestamp("at").toInstant()))
                .list();
    }

    record Trouble(String trainingId, String name, String state, int attempts, @Nullable String lastError, Instant at) {
    }

    @Override
    public Map<String, Map<String, Copy>> of(Collection<String> trainingIds) {
        Map<String, Map<String, Copy>> copies = new HashMap<>();
        jdbc.sql("select training_id, name, state, sha256 from output_copy where training_id = any(?)")
                .param(trainingIds.toArray(String[]::new))
                .query(rs -> {
                    String state = rs.getString("state");
                    copies.computeIfAbsent(rs.getString("training_id"), id -> new HashMap<>())
                            .put(rs.getString("name"), new Copy(state.equals("stored"), rs.getString("sha256"), state));
                });
        return copies;
    }

    @Override
    public Set<String> pinned(Collection<String> trainingIds) {
        return Set.copyOf(jdbc.sql("select training_id from output_pin where training_id = any(?)")
                .param(trainingIds.toArray(String[]::new))
                .query(String.class)
                .list());
    }

    private static List<ClaimedCopy> copiesOf(List<ClaimedTraining> trainings) {
        return trainings.stream().flatMap(training -> training.copies().stream()).toList();
    }

    private static @Nullable String truncate(@Nullable String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length);
    }
}
