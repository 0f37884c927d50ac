package com.ltxgateway.dashboard.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.access.TeamSummary;
import com.ltxgateway.reconciliation.FalOrphans;
import com.ltxgateway.tracking.FalKeyAlarm;
import com.ltxgateway.artifact.OutputFiles;
import com.ltxgateway.training.TeamLimits;
import com.ltxgateway.training.TrainingStatistics;
import com.ltxgateway.training.TrainingStatistics.TeamTotals;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The state of the gateway at a glance: trainings by status, activity, this month's spend, and how fal is doing. */
@Controller
class OverviewPage {

    private static final int RECENT_FAULTS = 5;

    private final TeamLimits limits;
    private final OutputFiles outputFiles;
    private final TrainingStatistics statistics;
    private final AccessAdministration access;
    private final FalOrphans orphans;
    private final FalKeyAlarm keyAlarm;
    private final Clock clock;

    OverviewPage(TrainingStatistics statistics, AccessAdministration access, FalOrphans orphans, FalKeyAlarm keyAlarm, TeamLimits limits,
            OutputFiles outputFiles, Clock clock) {
        this.limits = limits;
        this.outputFiles = outputFiles;
        this.statistics = statistics;
        this.access = access;
        this.orphans = orphans;
        this.keyAlarm = keyAlarm;
        this.clock = clock;
    }

    @GetMapping("/admin")
    String overview(Model model) {
        Instant now = clock.instant();
        model.addAttribute("counts", statistics.countsByStatus());
        model.addAttribute("day", ActivityChart.of(statistics.activity(now, ChronoUnit.HOURS, 24), "HH:00", 3));
        model.addAttribute("month", ActivityChart.of(statistics.activity(now, ChronoUnit.DAYS, 30), "MM-dd", 5));
        model.addAttribute("spend", spendThisMonth(statistics.teamTotals(TeamPages.monthStart(clock))));
        var health = statistics.falHealth(now, RECENT_FAULTS);
        model.addAttribute("health", health);
        model.addAttribute("openOrphanCancels", orphans.openCancels());
        model.addAttribute("copies", outputFiles.overview(RECENT_FAULTS));
        model.addAttribute("waitingForTurns", limits.all().values().stream().mapToInt(TeamLimits.Limits::waiting).sum());
        model.addAttribute("keyRefusedSince", keyAlarm.refusedSince());
        model.addAttribute("keyRefusedReason", keyAlarm.reason());
        model.addAttribute("failureRate", health.finishedLastDay() == 0 ? null
                : Math.round(100.0 * health.failedLastDay() / health.finishedLastDay()) + "%");
        model.addAttribute("oldestWaitingFor", health.oldestWaiting() == null ? null
                : age(Duration.between(health.oldestWaiting().createdAt(), now)));
        return "dashboard/overview";
    }

    /** Teams that spent something this month, the biggest spender first. */
    private List<TeamSpend> spendThisMonth(Map<UUID, TeamTotals> totals) {
        return access.teams().stream()
                .filter(team -> totals.containsKey(team.id()) && totals.get(team.id()).spendSince().signum() > 0)
                .map(team -> new TeamSpend(team, totals.get(team.id())))
                .sorted(Comparator.comparing((TeamSpend spend) -> spend.totals().spendSince()).reversed())
                .toList();
    }

    private static String age(Duration age) {
        if (age.toDays() > 0) {
            return age.toDays() + " d " + age.toHoursPart() + " h";
        }
        if (age.toHours() > 0) {
            return age.toHours() + " h " + age.toMinutesPart() + " min";
        }
        return age.toMinutes() > 0 ? age.toMinutes() + " min " + age.toSecondsPart() + " s" : age.toSeconds() + " s";
    }

    record TeamSpend(TeamSummary team, TeamTotals totals) {
    }
}
