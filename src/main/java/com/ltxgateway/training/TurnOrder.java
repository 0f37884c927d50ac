package com.ltxgateway.training;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The order in which waiting trainings get a slot at fal, and which of them may go now. Within a team, {@code normal}
 * goes before {@code low} and older before newer. Across teams, the next slot goes to the team with the fewest
 * trainings at fal counting the ones ahead of it: a team with nothing at fal goes before a team with a sweep under
 * way, and teams that want slots take them in turns, one each, so no team is starved by another's backlog. Between
 * teams with as many at fal, the one whose last turn is longer ago goes first; then the older training.
 */
final class TurnOrder {

    /** A live training that has not been submitted and is not canceled. */
    record Waiting(String id, UUID teamId, boolean low, Instant createdAt) {
    }

    /**
     * A waiting training's place.
     *
     * @param position 1 for the training that goes first
     * @param reason why it may not go now; null when it may
     */
    record Turn(String id, int position, @Nullable WaitingReason reason) {

        boolean goes() {
            return reason == null;
        }
    }

    private static final Comparator<Waiting> WITHIN_TEAM = Comparator.comparing(Waiting::low)
            .thenComparing(Waiting::createdAt).thenComparing(Waiting::id);

    private TurnOrder() {
    }

    /**
     * @param atFal each team's trainings at fal (submitted, or with a submit that may have reached fal, and not finished)
     * @param lastTurns when each team with trainings at fal last submitted one
     * @param teamLimits the teams' limits; a team without one is not limited
     * @param accountLimit the limit of the whole account; 0 for none
     */
    static List<Turn> of(List<Waiting> waiting, Map<UUID, Integer> atFal, Map<UUID, Instant> lastTurns,
            Map<UUID, Integer> teamLimits, int accountLimit) {
        record Ranked(Waiting training, int turn) {
        }
        List<Ranked> ranked = new ArrayList<>();
        waiting.stream().collect(Collectors.groupingBy(Waiting::teamId)).forEach((team, trainings) -> {
            trainings.sort(WITHIN_TEAM);
            int before = atFal.getOrDefault(team, 0);
            for (int rank = 1; rank <= trainings.size(); rank++) {
                ranked.add(new Ranked(trainings.get(rank - 1), before + rank));
            }
        });
        ranked.sort(Comparator.comparingInt(Ranked::turn)
                .thenComparing(r -> lastTurns.getOrDefault(r.training().teamId(), Instant.MIN))
                .thenComparing(r -> r.training().createdAt())
                .thenComparing(r -> r.training().id()));

        int accountFree = accountLimit > 0 ? accountLimit - atFal.values().stream().mapToInt(Integer::intValue).sum() : Integer.MAX_VALUE;
        Map<UUID, Integer> teamFree = new HashMap<>();
        teamLimits.forEach((team, limit) -> teamFree.put(team, limit - atFal.getOrDefault(team, 0)));
        List<Turn> turns = new ArrayList<>(ranked.size());
        for (Ranked next : ranked) {
            UUID team = next.training().teamId();
            WaitingReason reason;
            if (teamFree.getOrDefault(team, Integer.MAX_VALUE) <= 0) {
                reason = WaitingReason.TEAM_LIMIT;
            }
            else if (accountFree <= 0) {
                reason = WaitingReason.ACCOUNT_LIMIT;
            }
            else {
                reason = null;
                accountFree--;
                teamFree.computeIfPresent(team, (t, free) -> free - 1);
            }
            turns.add(new Turn(next.training().id(), turns.size() + 1, reason));
        }
        return turns;
    }
}
