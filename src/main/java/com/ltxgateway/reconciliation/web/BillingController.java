package com.ltxgateway.reconciliation.web;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import com.ltxgateway.DayRange;
import com.ltxgateway.reconciliation.BillingComparison;
import com.ltxgateway.reconciliation.BillingComparison.Day;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: fal")
@RequestMapping("/v1/admin/fal")
class BillingController {

    private final BillingComparison comparison;

    BillingController(BillingComparison comparison) {
        this.comparison = comparison;
    }

    @GetMapping("/billing")
    @Operation(summary = "What fal billed each UTC day against what the gateway expected, newest day first",
            description = "The gateway's side is the estimates of the live trainings that succeeded that day; fal's is its billing"
                    + " events for the endpoint (read only with GATEWAY_FAL_ADMIN_KEY). A day whose counts or amounts differ"
                    + " has matches: false.")
    BillingReport billing(
            @Parameter(description = "First UTC day, YYYY-MM-DD; default 29 days before today") @RequestParam(required = false) @Nullable String from,
            @Parameter(description = "Last UTC day, included, YYYY-MM-DD; default today") @RequestParam(required = false) @Nullable String to) {
        DayRange recent = comparison.recent();
        return new BillingReport(comparison.billingRead(),
                comparison.days(DayRange.parse(from, to, recent.first(), recent.last())).stream().map(BillingDay::of).toList());
    }

    record BillingReport(@Schema(description = "Whether fal's billing events are read (GATEWAY_FAL_ADMIN_KEY is set)") boolean billingRead,
            List<BillingDay> data) {
    }

    record BillingDay(LocalDate day,
            @Schema(description = "Live trainings that succeeded that day") long trainings,
            @Schema(description = "Their estimates: what the gateway expects fal to bill") BigDecimal estimatedUsd,
            @Schema(description = "Requests fal's billing events bill that day") long falRequests,
            @Schema(description = "What fal billed for them") BigDecimal falBilledUsd,
            @Schema(description = "fal's amount less the gateway's: positive when fal billed more") BigDecimal differenceUsd,
            boolean matches) {

        static BillingDay of(Day day) {
            return new BillingDay(day.day(), day.trainings(), day.estimatedUsd(), day.falRequests(), day.falBilledUsd(),
                    day.differenceUsd(), day.matches());
        }
    }
}
