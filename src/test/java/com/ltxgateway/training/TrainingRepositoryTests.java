package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;
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

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** The training's mapping on a real PostgreSQL, migrated by Flyway and validated by Hibernate: jsonb, status, guards. */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class TrainingRepositoryTests {

    private static final String DATABASE = TestPostgres.newDatabase("jpa");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestPostgres.useDatabase(registry, () -> DATABASE);
    }

    @Autowired
    TrainingRepository trainings;

    @Autowired
    EntityManager entityManager;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactionManager;

    private UUID team;

    @BeforeEach
    void team() {
        team = TeamRows.insert(jdbc);
    }

    @Test
    void storesInputMetadataAndOutputAsJsonb() {
        Training training = training("trn_jsonb");
        training.acceptedByFal("req-1", "https://queue.fal.run/x/status", null, null, 3, Instant.now());
        training.succeeded("{\"lora_file\":{\"url\":\"https://v3.fal.media/l.safetensors\"}}", Instant.now());
        trainings.saveAndFlush(training);
        entityManager.clear();

        var row = jdbc.sql("""
                select jsonb_typeof(input) as input_type, input->>'training_data_url' as data_url,
                       metadata->>'project' as project, output->'lora_file'->>'url' as lora, status
                from training where id = 'trn_jsonb'""").query().singleRow();
        assertThat(row).containsEntry("input_type", "object")
                .containsEntry("data_url", "https://example.com/d.zip")
                .containsEntry("project", "x")
                .containsEntry("lora", "https://v3.fal.media/l.safetensors")
                .containsEntry("status", "succeeded");
        Training loaded = trainings.findById("trn_jsonb").orElseThrow();
        assertThat(loaded.status()).isEqualTo(TrainingStatus.SUCCEEDED);
        assertThat(loaded.falRequestId()).isEqualTo("req-1");
        assertThat(loaded.finishedAt()).isNotNull();
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
        trainings.saveAndFlush(training);
        entityManager.clear();

        assertThat(trainings.findForUpdate("trn_guard").orElseThrow().status()).isEqualTo(TrainingStatus.FAILED);
    }

    /** Committed in transactions of its own, so that another connection sees the row and meets its lock. */
    @Test
    @Transactional(propagation = Propagation.NOT_SUPPORTED)
    void aTrainingLockedForAChangeHoldsOffEveryOtherWriterUntilTheChangeEnds() {
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        transaction.executeWithoutResult(tx -> trainings.saveAndFlush(training("trn_locked")));

        transaction.executeWithoutResult(tx -> {
            assertThat(trainings.lock("trn_locked", Fence.NONE).id()).isEqualTo("trn_locked");
            assertThatThrownBy(() -> lockFromAnotherConnection("trn_locked")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("could not obtain lock");
        });
        transaction.executeWithoutResult(tx -> assertThat(trainings.findForUpdate("trn_none")).isEmpty());
    }

    private void lockFromAnotherConnection(String id) throws SQLException {
        try (Connection other = dataSource.getConnection(); Statement statement = other.createStatement()) {
            statement.executeQuery("select id from training where id = '" + id + "' for update nowait").close();
        }
    }

    @Test
    void aPlainReadOfTheRowHoldsWhatHibernateLoads() {
        trainings.saveAndFlush(training("trn_row"));
        jdbc.sql("""
                insert into dataset (id, team_id, file_name, size_bytes, sha256, status, clips, captions, problems, created_by, created_at)
                values ('ds_row', ?, 'd.zip', 1, repeat('0', 64), 'ready', '[]', 0, '[]', 'test', now())""").param(team).update();
        // Every column set, so that one the plain read leaves out shows as a difference.
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
        entityManager.clear();

        Training loaded = trainings.findById("trn_row").orElseThrow();
        assertThat(loaded).hasNoNullFieldsOrProperties();
        assertThat(new TrainingRows(jdbc).find("trn_row")).get().usingRecursiveComparison().isEqualTo(loaded);
        assertThat(new TrainingRows(jdbc).find("trn_none")).isEmpty();
    }

    @Test
    void whatFalBilledAboveEstimatesIsReadFromTheIndexOfOnlyThoseTrainings() {
        jdbc.sql("set local enable_seqscan = off").update();

        String plan = String.join("\n", jdbc.sql("explain " + TeamSpend.BILLED_ABOVE_ESTIMATES)
                .params(team, Timestamp.from(Instant.now().minus(30, ChronoUnit.DAYS)), Timestamp.from(Instant.now()))
                .query(String.class).list());

        assertThat(plan).contains("training_billed_above_estimate");
    }

    private Training training(String id) {
        return new Training(id, team, "sandbox", "{\"training_data_url\":\"https://example.com/d.zip\"}", 1000,
                new BigDecimal("0.0024"), "{\"project\":\"x\"}", null, TrainingPriority.NORMAL, null, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
