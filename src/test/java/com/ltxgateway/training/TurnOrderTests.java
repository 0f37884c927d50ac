package com.ltxgateway.training;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.training.TurnOrder.Turn;
import com.ltxgateway.training.TurnOrder.Waiting;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Who gets the next slot at fal, as a plain function of what is at fal and what waits. */
class TurnOrderTests {

    private static final UUID SWEEP = UUID.randomUUID();
    private static final UUID SMALL = UUID.randomUUID();
    private static final UUID THIRD = UUID.randomUUID();
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final List<Waiting> waiting = new ArrayList<>();

    @Test
    void withoutLimitsEveryWaitingTrainingGoes() {
        waitingOf(SWEEP, 3, false);

        assertThat(TurnOrder.of(waiting, Map.of(), Map.of(), Map.of(), 0)).allMatch(Turn::goes);
    }

    @Test
    void aTeamAtItsLimitWaitsWhileOthersGo() {
        waitingOf(SWEEP, 2, false);
        waitingOf(SMALL, 1, false);

        List<Turn> turns = TurnOrder.of(waiting, Map.of(SWEEP, 4), Map.of(), Map.of(SWEEP, 4), 0);

        assertThat(reasonOf(turns, "SMALL-1")).isNull();
        assertThat(reasonOf(turns, "SWEEP-1")).isEqualTo(WaitingReason.TEAM_LIMIT);
        assertThat(reasonOf(turns, "SWEEP-2")).isEqualTo(WaitingReason.TEAM_LIMIT);
    }

    @Test
    void aTeamBelowItsLimitGetsOnlyTheSlotsLeftOldestFirst() {
        waitingOf(SWEEP, 3, false);

        List<Turn> turns = TurnOrder.of(waiting, Map.of(SWEEP, 2), Map.of(), Map.of(SWEEP, 3), 0);

        assertThat(turns).extracting(Turn::id).containsExactly("SWEEP-1", "SWEEP-2", "SWEEP-3");
        assertThat(turns).extracting(Turn::reason).containsExactly(null, WaitingReason.TEAM_LIMIT, WaitingReason.TEAM_LIMIT);
    }

    @Test
    void theAccountsFreeSlotsGoRoundRobinAcrossTeamsNotToTheOldestBacklog() {
        // The sweep was queued long before the others, and already holds slots.
        waitingOf(SWEEP, 10, false);
        waitingOf(SMALL, 3, false);
        waitingOf(THIRD, 2, false);

        List<Turn> turns = TurnOrder.of(waiting, Map.of(SWEEP, 2), Map.of(), Map.of(), 8);

        // 6 free slots: the teams with nothing at fal take turns until they level with the sweep, then all alternate.
        assertThat(turns.stream().filter(Turn::goes).map(Turn::id))
                .containsExactly("SMALL-1", "THIRD-1", "SMALL-2", "THIRD-2", "SWEEP-1", "SMALL-3");
        assertThat(turns.stream().filter(turn -> !turn.goes()).map(Turn::reason)).containsOnly(WaitingReason.ACCOUNT_LIMIT);
        assertThat(turns).extracting(Turn::position).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    }

    @Test
    void teamsWithAsManyAtFalAlternateWhoseLastTurnIsLongerAgoFirst() {
        waitingOf(SWEEP, 3, false);
        waitingOf(SMALL, 3, false);

        List<Turn> turns = TurnOrder.of(waiting, Map.of(SWEEP, 1, SMALL, 1),
                Map.of(SWEEP, T0.plusSeconds(3600), SMALL, T0.plusSeconds(60)), Map.of(), 5);

        assertThat(turns.stream().filter(Turn::goes).map(Turn::id)).containsExactly("SMALL-1", "SWEEP-1", "SMALL-2");
    }

    @Test
    void aFullAccountLetsNoOneGo() {
        waitingOf(SMALL, 2, false);

        assertThat(TurnOrder.of(waiting, Map.of(SWEEP, 5), Map.of(), Map.of(), 5)).extracting(Turn::reason)
                .containsOnly(WaitingReason.ACCOUNT_LIMIT);
    }

    @Test
    void theTeamLimitIsNamedBeforeTheAccountsWhenBothHold() {
        waitingOf(SWEEP, 1, false);

        assertThat(TurnOrder.of(waiting, Map.of(SWEEP, 3), Map.of(), Map.of(SWEEP, 3), 3)).extracting(Turn::reason)
                .containsExactly(WaitingReason.TEAM_LIMIT);
    }

    @Test
    void lowPriorityWaitsBehindNormalOfTheSameTeamButNotBehindOtherTeams() {
        waitingOf(SWEEP, 2, true);
        waitingOf(SWEEP, 1, false);
        waitingOf(SMALL, 1, true);

        List<Turn> turns = TurnOrder.of(waiting, Map.of(), Map.of(), Map.of(SWEEP, 1), 0);

        assertThat(turns.stream().filter(Turn::goes).map(Turn::id)).containsExactlyInAnyOrder("SWEEP-3", "SMALL-1");
        assertThat(turns.stream().filter(turn -> turn.id().startsWith("SWEEP")).map(Turn::id)).containsExactly("SWEEP-3", "SWEEP-1", "SWEEP-2");
    }

    @Test
    void aLimitLoweredBelowWhatIsAtFalLetsNoneOfTheTeamGo() {
        waitingOf(SWEEP, 1, false);

        assertThat(TurnOrder.of(waiting, Map.of(SWEEP, 5), Map.of(), Map.of(SWEEP, 2), 0)).extracting(Turn::reason)
                .containsExactly(WaitingReason.TEAM_LIMIT);
    }

    /** {@code count} more trainings of the team, each a minute younger than every one before. */
    private void waitingOf(UUID team, int count, boolean low) {
        String name = team == SWEEP ? "SWEEP" : team == SMALL ? "SMALL" : "THIRD";
        long already = waiting.stream().filter(w -> w.teamId().equals(team)).count();
        for (int i = 1; i <= count; i++) {
            waiting.add(new Waiting(name + "-" + (already + i), team, low, T0.plusSeconds(60L * waiting.size())));
        }
    }

    private static WaitingReason reasonOf(List<Turn> turns, String id) {
        return turns.stream().filter(turn -> turn.id().equals(id)).findFirst().orElseThrow().reason();
    }
}
