package com.ltxgateway.training;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.ltxgateway.PageCursor;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.TeamDirectory;

import tools.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The training list: newest first, keyset-paginated on (created_at, id) so that pages stay stable while new
 * trainings arrive, served by the (team_id, [status,] created_at, id) indexes and the GIN index on metadata.
 */
@Component
public class TrainingQueries {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    private final JdbcClient jdbc;
    private final TrainingRows rows;
    private final TimelineEntries timeline;
    private final TeamDirectory teams;
    private final TrainingService service;
    private final JsonMapper json;

    TrainingQueries(JdbcClient jdbc, TrainingRows rows, TimelineEntries timeline, TeamDirectory teams,
            TrainingService service, JsonMapper json) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.timeline = timeline;
        this.teams = teams;
        this.service = service;
        this.json = json;
    }

    /** {@code text}, when set, matches a training id or fal request id exactly, or part of a metadata key or value. */
    public record ListQuery(TrainingStatus status, int limit, PageCursor after, String team, Map<String, String> metadata,
            String text) {
    }

    /**
     * A training's queue state in one narrow read (no JSON parsed), for fal's clients polling through the proxy
     * facade; a training waiting for its turn at fal takes the full view, which knows its place in the gateway's queue.
     * One indexed query in autocommit, with no transaction or persistence context around it: a poll is read far more
     * often than anything else, and the transaction's own statements and Hibernate's session cost more than the read.
     *
     * @throws TrainingNotFound when the caller may not see it
     */
    public QueueState queueState(Caller caller, String id) {
        record Row(UUID teamId, String status, @Nullable Integer queuePosition, boolean waiting, @Nullable String errorCode,
                @Nullable String errorMessage) {
        }
        Row row = jdbc.sql("""
                select team_id, status, queue_position, waiting_reason is not null, error ->> 'code', error ->> 'message'
                from training where id = ?""")
                .param(id)
                .query((rs, n) -> new Row(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, Integer.class),
                        rs.getBoolean(4), rs.getString(5), rs.getString(6)))
                .optional().orElse(null);
        if (row == null || !caller.canSee(row.teamId())) {
            throw new TrainingNotFound(id);
        }
        if (row.waiting()) {
            return QueueState.of(service.get(caller, id));
        }
        return new QueueState(id, TrainingStatus.fromWireName(row.status()), row.queuePosition(), row.errorCode(), row.errorMessage());
    }

    /**
     * fal's log lines of a training whose queue state the caller was given (so may see it): read alone, without the
     * rest of its timeline or another visibility check, as fal's clients ask for them with every status poll.
     */
    public List<TimelineEntry> logLines(QueueState training) {
        return timeline.of(training.id(), "log");
    }

    /** How many trainings that have not finished train on the dataset: they may still need its zip. */
    @Transactional(readOnly = true)
    public long unfinishedUsingDataset(String datasetId) {
        return jdbc.sql("select count(*) from training where dataset_id = ? and status in ('pending', 'queued', 'running')")
                .param(datasetId).query(Long.class).single();
    }

    @Transactional(readOnly = true)
    public TrainingPage list(Caller caller, ListQuery query) {
        return listVisibleTo(caller.admin() ? null : caller.teamId(), query);
    }

    /** {@code visibleTeam} null: every team's trainings. */
    @Transactional(readOnly = true)
    TrainingPage listVisibleTo(UUID visibleTeam, ListQuery query) {
        UUID teamId = visibleTeam;
        if (query.team() != null) {
            UUID filtered = teams.idOf(query.team()).orElse(null);
            if (filtered == null || (teamId != null && !teamId.equals(filtered))) {
                return new TrainingPage(List.of(), null);
            }
            teamId = filtered;
        }
        var sql = new StringBuilder("select * from training where true");
        var parameters = new ArrayList<Object>();
        if (teamId != null) {
            sql.append(" and team_id = ?");
            parameters.add(teamId);
        }
        if (query.status() != null) {
            sql.append(" and status = ?");
            parameters.add(query.status().wireName());
        }
        if (!query.metadata().isEmpty()) {
            sql.append(" and metadata @> cast(? as jsonb)");
            parameters.add(json.writeValueAsString(new TreeMap<>(query.metadata())));
        }
        if (query.text() != null) {
            String text = query.text().toLowerCase(Locale.ROOT);
            sql.append(" and (id = ? or fal_request_id = ? or exists (select 1 from jsonb_each_text(metadata) m"
                    + " where strpos(lower(m.key), ?) > 0 or strpos(lower(m.value), ?) > 0))");
            parameters.add(query.text());
            parameters.add(query.text());
            parameters.add(text);
            parameters.add(text);
        }
        if (query.after() != null) {
            sql.append(" and (created_at, id) < (?, ?)");
            parameters.add(Timestamp.from(query.after().createdAt()));
            parameters.add(query.after().id());
        }
        sql.append(" order by created_at desc, id desc limit ?");
        parameters.add(query.limit() + 1);

        List<Training> found = rows.query(sql.toString(), parameters);
        boolean more = found.size() > query.limit();
        List<Training> page = more ? found.subList(0, query.limit()) : found;
        String next = more ? new PageCursor(page.getLast().createdAt(), page.getLast().id()).encode() : null;
        return new TrainingPage(service.views(page), next);
    }
}
