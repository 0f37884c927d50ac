package com.ltxgateway.dashboard.web;

import java.math.BigDecimal;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.ltxgateway.DayRange;
import com.ltxgateway.reconciliation.BillingComparison;
import com.ltxgateway.reconciliation.BillingComparison.Day;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** What fal billed each day of the last month against what the gateway expected, with every difference in view. */
@Controller
class BillingPage {

    private final BillingComparison comparison;

    BillingPage(BillingComparison comparison) {
        this.comparison = comparison;
    }

    @GetMapping("/admin/fal/billing")
    String billing(Model model) {
        DayRange period = comparison.recent();
        List<Day> days = comparison.days(period).stream()
                .filter(day -> day.trainings() > 0 || day.falRequests() > 0)
                .toList();
        model.addAttribute("days", days);
        model.addAttribute("period", ChronoUnit.DAYS.between(period.first(), period.last()) + 1);
        model.addAttribute("billingRead", comparison.billingRead());
        model.addAttribute("differing", days.stream().filter(day -> !day.matches()).count());
        model.addAttribute("estimatedUsd", days.stream().map(Day::estimatedUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        model.addAttribute("billedUsd", days.stream().map(Day::falBilledUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        model.addAttribute("differenceUsd", days.stream().map(Day::differenceUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        return "dashboard/billing";
    }
}
