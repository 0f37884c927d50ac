package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import com.ltxgateway.support.TeamRows;
import com.ltxgateway.support.TestPostgres;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A training's row on a real PostgreSQL, migrated by Flyway: read whole, locked for a change, and written back column
 * by column when the change's transaction commits.
 */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({ LockedTrainings.class, TrainingRows.class })
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class LockedTrainingsTests {

    private static final String DATABASE = TestPostgres.newDatabase("rows");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestPostgres.useDatabase(registry, () -> DATABASE);
    }

    @Autowired
    LockedTrainings locked;

    @Autowired
    TrainingRows rows;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactionManager;

    private TransactionTemplate transaction;

    private UUID team;

    @BeforeEach
    void team() {
        transaction = new TransactionTemplate(transactionManager);
        team = TeamRows.insert(jdbc);
    }

    @Test
    void aChangeIsWrittenWhenItsTransactionCommitsWithTheJsonAsJsonb() {
        Training training = inserted("trn_jsonb");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        Training changed = transaction.execute(tx -> {
            Training locked = this.locked.lock(training.id(), Fence.NONE);
            locked.acceptedByFal("req-1", "https://queue.fal.run/x/status", "https://queue.fal.run/x", null, 3, now);
            locked.running(now);
            locked.succeeded("{\"lora_file\":{\"url\":\"https://v3.fal.media/l.safetensors\"}}", now);
            locked.billed(new BigDecimal("2.4"));
            return locked;
        });

        var row = jdbc.sql("""
                select jsonb_typeof(input) as input_type, input->>'training_data_url' as data_url,
                       metadata->>'project' as project, output->'lora_file'->>'url' as lora, status
                from training where id = 'trn_jsonb'""").query().singleRow();
        assertThat(row).containsEntry("input_type", "object")
                .containsEntry("data_url", "https://example.com/d.zip")
                .containsEntry("project", "x")
                .containsEntry("lora", "https://v3.fal.media/l.safetensors")
                .containsEntry("status", "succeeded");
        assertThat(rows.find("trn_jsonb")).get().usingRecursiveComparison().withComparatorForType(BigDecimal::compareTo, BigDecimal.class)
                .ignoringFields("output").as("the output as PostgreSQL keeps it, checked above").isEqualTo(changed);
    }

    @Test
    void everyNoteOfAPendingTrainingIsWrittenAndReadBackAsItWasChanged() {
        Training training = inserted("trn_notes");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

        Training changed = transaction.execute(tx -> {
            Training locked = this.locked.lock(training.id(), Fence.NONE);
            locked.waitFor(WaitingReason.TEAM_LIMIT);
            locked.requestCancel(now);
            locked.falUnreachable(now.plusSeconds(1));
            locked.logsStoredUpTo(7);
            return locked;
        });
        assertThat(rows.find("trn_notes")).get().usingRecursiveComparison().withComparatorForType(BigDecimal::compareTo, BigDecimal.class).isEqualTo(changed);

        Training attempted = transaction.execute(tx -> {
            Training locked = this.locked.lock(training.id(), Fence.NONE);
            locked.beginSubmitAttempt(now.plusSeconds(2));
            locked.submitUnconfirmed(1, now.plusSeconds(3));
            return locked;
        });
        assertThat(rows.find("trn_notes")).get().usingRecursiveComparison().withComparatorForType(BigDecimal::compareTo, BigDecimal.class).isEqualTo(attempted);
        assertThat(attempted.waitingReason()).isNull();
        assertThat(attempted.submission()).isEqualTo(SubmissionState.UNCONFIRMED);
    }

    @Test
    void aChangeIsWrittenByAFlushBeforeTheTransactionEnds() {
        inserted("trn_flush");

        transaction.executeWithoutResult(tx -> {
            locked.lock("trn_flush", Fence.NONE).logsStoredUpTo(3);
            assertThat(rows.find("trn_flush").orElseThrow().logLines()).as("before the flush").isZero();

            locked.flush();

            assertThat(rows.find("trn_flush").orElseThrow().logLines()).isEqualTo(3);
            tx.setRollbackOnly();
        });
        assertThat(rows.find("trn_flush").orElseThrow().logLines()).as("rolled back").isZero();
    }

    @Test
    void aTrainingLockedTwiceInOneTransactionIsOneObject() {
        inserted("trn_twice");

        transaction.executeWithoutResult(tx -> {
            Training first = locked.lock("trn_twice", Fence.NONE);
            first.logsStoredUpTo(5);

            assertThat(locked.lock("trn_twice", Fence.NONE)).isSameAs(first);
        });
        assertThat(rows.find("trn_twice").orElseThrow().logLines()).isEqualTo(5);
    }

    @Test
    void aTrainingLockedForAChangeHoldsOffEveryOtherWriterUntilTheChangeEnds() {
        inserted("trn_locked");

        transaction.executeWithoutResult(tx -> {
            assertThat(locked.lock("trn_locked", Fence.NONE).id()).isEqualTo("trn_locked");
            assertThatThrownBy(() -> lockFromAnotherConnection("trn_locked")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("could not obtain lock");
            // Rows that refer to the training (its timeline, its copies, its jobs) are still written meanwhile: their
            // foreign keys take this lock on it.
            assertThatCode(() -> lockFromAnotherConnection("trn_locked", "for key share nowait")).doesNotThrowAnyException();
        });
        transaction.executeWithoutResult(tx -> assertThatThrownBy(() -> locked.lock("trn_none", Fence.NONE))
                .isInstanceOf(TrainingNotFound.class));
    }

    @Test
    void theFenceIsCheckedOnceTheRowIsLocked() {
        inserted("trn_fenced");
        Fence lost = () -> {
            assertThatThrownBy(() -> lockFromAnotherConnection("trn_fenced")).isInstanceOf(SQLException.class);
            throw new IllegalStateException("claim lost");
        };

        assertThatThrownBy(() -> transaction.executeWithoutResult(tx -> locked.lock("trn_fenced", lost)))
                .hasMessage("claim lost");
    }

    @Test
    void aTransactionStartedInsideAnotherWritesItsOwnTrainingsWhenItCommits() {
        inserted("trn_outer");
        inserted("trn_inner");
        TransactionTemplate inner = new TransactionTemplate(transactionManager);
        inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

        transaction.executeWithoutResult(outer -> {
            locked.lock("trn_outer", Fence.NONE).logsStoredUpTo(1);
            inner.executeWithoutResult(tx -> locked.lock("trn_inner", Fence.NONE).logsStoredUpTo(2));

            assertThat(committedLogLines("trn_inner")).as("the inner transaction's training, committed").isEqualTo(2);
            assertThat(committedLogLines("trn_outer")).as("the outer transaction's, not yet").isZero();
        });
        assertThat(committedLogLines("trn_outer")).isEqualTo(1);
    }

    @Test
    void theTrainingFollowingARequestIsLockedByTheRequestsId() {
        inserted("trn_following");
        transaction.executeWithoutResult(tx -> locked.lock("trn_following", Fence.NONE)
                .acceptedByFal("req-following", null, null, null, null, Instant.now()));

        transaction.executeWithoutResult(tx -> {
            assertThat(locked.lockFollowing("req-following")).get().extracting(Training::id).isEqualTo("trn_following");
            assertThatThrownBy(() -> lockFromAnotherConnection("trn_following")).isInstanceOf(SQLException.class);
            assertThat(locked.lockFollowing("req-none")).isEmpty();
        });
    }

    @Test
    void aTrainingIsLockedOnlyInsideATransaction() {
        inserted("trn_outside");

        assertThatThrownBy(() -> locked.lock("trn_outside", Fence.NONE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void terminalStatesNeverChangeAndStatesNeverGoBack() {
        Training training = training("trn_guard");
        Instant now = Instant.now();

        assertThat(training.running(now)).isNotNull();
        assertThat(training.queued(5)).as("running does not go back to queued").isNull();
        assertThat(training.failed("{\"code\":\"x\"}", now)).isNotNull();
        assertThat(training.succeeded("{}", now)).isNull();
        assertThat(training.canceled(now)).isNull();
        assertThat(training.status()).isEqualTo(TrainingStatus.FAILED);
    }

    @Test
    void aPlainReadOfTheRowHoldsEveryColumn() {
        inserted("trn_row");
        jdbc.sql("""
                insert into dataset (id, team_id, file_name, size_bytes, sha256, status, clips, captions, problems, created_by, created_at)
                values ('ds_row', ?, 'd.zip', 1, repeat('0', 64), 'ready', '[]', 0, '[]', 'test', now())""").param(team).update();
        // Every column set, so that one the read leaves out shows as a field left null.
        jdbc.sql("""
                update training set dataset_id = 'ds_row', webhook_url = 'https://example.com/hook', fal_request_id = 'req-row',
                    fal_status_url = 'https://queue.fal.run/s', fal_response_url = 'https://queue.fal.run/r',
                    fal_cancel_url = 'https://queue.fal.run/c', queue_position = 4,
                    output = '{"lora_file": {"url": "https://v3.fal.media/l.safetensors"}}', error = '{"code": "x"}',
                    cancel_requested_at = now(), submit_attempted_at = now(), submit_attempts = 2,
                    submit_unconfirmed_at = now(), fal_unreachable_since = now(), log_lines = 7, cost_usd = 2.4,
                    waiting_reason = 'team_limit', submitted_at = now(), started_at = now(), finished_at = now(),
                    priority = 'low', status = 'running'
                where id = 'trn_row'""").update();

        assertThat(rows.find("trn_row")).get().hasNoNullFieldsOrProperties();
        assertThat(rows.find("trn_none")).isEmpty();
    }

    @Test
    void whatFalBilledAboveEstimatesIsReadFromTheIndexOfOnlyThoseTrainings() {
        String plan = transaction.execute(tx -> {
            jdbc.sql("set local enable_seqscan = off").update();
            return String.join("\n", jdbc.sql("explain " + TeamSpend.BILLED_ABOVE_ESTIMATES)
                    .params(team, Timestamp.from(Instant.now().minus(30, ChronoUnit.DAYS)), Timestamp.from(Instant.now()))
                    .query(String.class).list());
        });

        assertThat(plan).contains("training_billed_above_estimate");
    }

    private Training inserted(String id) {
        Training training = training(id);
        rows.insert(training);
        return training;
    }

    private Training training(String id) {
        return new Training(id, team, "sandbox", "{\"training_data_url\":\"https://example.com/d.zip\"}", 1000,
                new BigDecimal("0.0024"), "{\"project\":\"x\"}", null, TrainingPriority.NORMAL, null, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    /** Read on a connection of its own, so only what was committed. */
    private int committedLogLines(String id) {
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement();
                var result = statement.executeQuery("select log_lines from training where id = '" + id + "'")) {
            result.next();
            return result.getInt(1);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void lockFromAnotherConnection(String id) throws SQLException {
        lockFromAnotherConnection(id, "for update nowait");
    }

    private void lockFromAnotherConnection(String id, String lock) throws SQLException {
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            statement.executeQuery("select id from training where id = '" + id + "' " + lock).close();
        }
    }
}
