package com.ltxgateway.dashboard.web;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import com.ltxgateway.reconciliation.BillingComparison;
import com.ltxgateway.reconciliation.BillingComparison.Day;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** What fal billed each day of the last month against what the gateway expected, with every difference in view. */
@Controller
class BillingPage {

    static final int DAYS = 30;

    private final BillingComparison comparison;
    private final Clock clock;

    BillingPage(BillingComparison comparison, Clock clock) {
        this.comparison = comparison;
        this.clock = clock;
    }

    @GetMapping("/admin/fal/billing")
    String billing(Model model) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<Day> days = comparison.days(today.minusDays(DAYS - 1), today).stream()
                .filter(day -> day.trainings() > 0 || day.falRequests() > 0)
                .toList();
        model.addAttribute("days", days);
        model.addAttribute("period", DAYS);
        model.addAttribute("billingRead", comparison.billingRead());
        model.addAttribute("differing", days.stream().filter(day -> !day.matches()).count());
        model.addAttribute("estimatedUsd", days.stream().map(Day::estimatedUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        model.addAttribute("billedUsd", days.stream().map(Day::falBilledUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        model.addAttribute("differenceUsd", days.stream().map(Day::differenceUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        return "dashboard/billing";
    }
}
