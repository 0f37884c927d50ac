package com.ltxgateway.budget.web;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

import com.ltxgateway.DayRange;
import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.access.Caller;
import com.ltxgateway.training.TeamSpend;
import com.ltxgateway.training.TeamSpend.Line;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What live trainings cost, by team or by team and day: team keys see their own team, admin keys every team. */
@RestController
@Tag(name = "Spend", description = "What the live trainings of a period cost, estimated and billed by fal.")
@RequestMapping("/v1/spend")
class SpendController {

    private static final String CSV = "text/csv";

    private final TeamSpend spend;
    private final Clock clock;

    SpendController(TeamSpend spend, Clock clock) {
        this.spend = spend;
        this.clock = clock;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "spendReport", summary = "What the live trainings created in a period cost, per team or per team and day")
    SpendReport report(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "First UTC day, YYYY-MM-DD; default the first day of this month") @RequestParam(required = false) @Nullable String from,
            @Parameter(description = "Last UTC day, included, YYYY-MM-DD; default today") @RequestParam(required = false) @Nullable String to,
            @Parameter(description = "team (default) or day") @RequestParam(name = "group_by", required = false) @Nullable String groupBy) {
        List<Line> lines = lines(caller, from, to, byDay(groupBy));
        return new SpendReport(lines.stream().map(SpendLine::of).toList(), SpendTotal.of(lines));
    }

    @GetMapping(produces = CSV)
    @Operation(operationId = "spendReport", summary = "The same report as CSV: team, day (with group_by=day), trainings, estimated_usd, billed_usd")
    String csv(@AuthenticationPrincipal Caller caller, @RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to, @RequestParam(name = "group_by", required = false) @Nullable String groupBy) {
        boolean byDay = byDay(groupBy);
        String header = byDay ? "team,day,trainings,estimated_usd,billed_usd" : "team,trainings,estimated_usd,billed_usd";
        // Slugs are lowercase letters, digits and hyphens: nothing in a line needs quoting.
        return lines(caller, from, to, byDay).stream()
                .map(line -> line.team() + (byDay ? "," + line.day() : "") + "," + line.trainings() + ","
                        + line.estimatedUsd().toPlainString() + "," + line.billedUsd().toPlainString())
                .collect(Collectors.joining("\n", header + "\n", "\n"));
    }

    private List<Line> lines(Caller caller, @Nullable String from, @Nullable String to, boolean byDay) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        DayRange period = DayRange.parse(from, to, today.withDayOfMonth(1), today);
        return spend.report(period.first(), period.last(), byDay, caller.admin() ? null : caller.teamId());
    }

    private static boolean byDay(@Nullable String groupBy) {
        if (groupBy == null || groupBy.equals("team")) {
            return false;
        }
        if (groupBy.equals("day")) {
            return true;
        }
        throw new InvalidQueryParameter("group_by", "must be team or day");
    }

    record SpendReport(List<SpendLine> data, SpendTotal total) {
    }

    /** {@code day} only when grouped by day. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SpendLine(String team, @Nullable LocalDate day, long trainings, BigDecimal estimatedUsd, BigDecimal billedUsd) {

        static SpendLine of(Line line) {
            return new SpendLine(line.team(), line.day(), line.trainings(), line.estimatedUsd(), line.billedUsd());
        }
    }

    record SpendTotal(long trainings, BigDecimal estimatedUsd, BigDecimal billedUsd) {

        static SpendTotal of(List<Line> lines) {
            return new SpendTotal(lines.stream().mapToLong(Line::trainings).sum(),
                    lines.stream().map(Line::estimatedUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
                    lines.stream().map(Line::billedUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        }
    }
}
