package com.ltxgateway.training;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.PageCursor;
import com.ltxgateway.training.TrainingQueries.ListQuery;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The training use cases for people who administer the gateway: they see every team's trainings, and cancel
 * through the same path as the API's cancel.
 */
@Service
public class TrainingAdministration {

    private static final Predicate<UUID> EVERY_TEAM = team -> true;

    private final TrainingService service;
    private final TrainingQueries queries;
    private final TrainingRows trainings;

    TrainingAdministration(TrainingService service, TrainingQueries queries, TrainingRows trainings) {
        this.service = service;
        this.queries = queries;
        this.trainings = trainings;
    }

    /**
     * @param team a team slug, or null for every team
     * @param text matched against ids, fal request ids and metadata, or null
     * @param cursor a {@link TrainingPage#nextCursor()}, or null for the newest trainings
     * @throws InvalidQueryParameter when the cursor is not one a page returned
     */
    public TrainingPage list(TrainingStatus status, String team, String text, String cursor, int limit) {
        return queries.listVisibleTo(null, new ListQuery(status, limit, cursor == null ? null : PageCursor.decode(cursor), team,
                Map.of(), text));
    }

    /** Up to {@code limit} of the team's trainings waiting for a turn at fal, in the order they will get one. */
    @Transactional(readOnly = true)
    public List<TrainingView> waiting(UUID teamId, int limit) {
        return service.views(trainings.waiting(teamId, limit)).stream()
                .sorted(Comparator.comparing(TrainingView::waitingPosition, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
    }

    public TrainingView get(String id) {
        return service.get(EVERY_TEAM, id);
    }

    public List<TimelineEntry> timeline(String id) {
        return service.timeline(EVERY_TEAM, id);
    }

    /**
     * An admin's decision that fal does not hold a training's unconfirmed submit, so it is submitted again; audited as
     * {@code training.resubmitted}.
     *
     * @throws TrainingResubmitRefused when the training has no unconfirmed submit
     */
    public TrainingView resubmit(String actor, String id) {
        return service.resubmit(actor, id);
    }

    /** The API's cancel; {@code actor} appears on the training's timeline. */
    public TrainingView cancel(String actor, String id) {
        return service.cancel(EVERY_TEAM, actor, id);
    }
}
