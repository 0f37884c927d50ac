package com.ltxgateway.dashboard.web;

import com.ltxgateway.dashboard.DashboardUsers;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.dataset.Datasets;
import com.ltxgateway.access.AccessAdministration.IssuedKey;
import com.ltxgateway.access.ApiKeyNotFound;
import com.ltxgateway.access.ApiKeySummary;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.access.NewKey;
import com.ltxgateway.access.NewTeam;
import com.ltxgateway.access.TeamNotFound;
import com.ltxgateway.access.TeamSlugTaken;
import com.ltxgateway.access.TeamSummary;
import com.ltxgateway.budget.NewBudget;
import com.ltxgateway.budget.TeamBudgets;
import com.ltxgateway.budget.TeamBudgets.Budget;
import com.ltxgateway.training.NewTeamLimits;
import com.ltxgateway.training.TeamLimits;
import com.ltxgateway.training.TeamSpend;
import com.ltxgateway.training.TrainingAdministration;
import com.ltxgateway.training.TrainingStatistics;
import com.ltxgateway.training.TrainingStatistics.TeamTotals;
import com.ltxgateway.webhook.WebhookAdministration;
import com.ltxgateway.webhook.WebhookAdministration.NewSigningSecret;
import com.ltxgateway.webhook.WebhookRequestInvalid;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Teams, what they train and spend, their API keys (created, shown once, and revoked here) and their webhooks:
 * endpoints registered and deleted, and the signing secret rotated (shown once too).
 */
@Controller
@RequestMapping("/admin")
class TeamPages {

    private static final int RECENT_TRAININGS = 10;
    private static final int WAITING_SHOWN = 25;
    private static final int DATASETS_SHOWN = 10;

    private final AccessAdministration access;
    private final TrainingAdministration trainings;
    private final TrainingStatistics statistics;
    private final WebhookAdministration webhooks;
    private final TeamBudgets budgets;
    private final TeamLimits limits;
    private final TeamSpend spend;
    private final DashboardFormat format;
    private final Clock clock;
    private final Datasets datasets;

    TeamPages(AccessAdministration access, TrainingAdministration trainings, TrainingStatistics statistics,
            WebhookAdministration webhooks, TeamBudgets budgets, TeamLimits limits, TeamSpend spend, DashboardFormat format,
            Datasets datasets, Clock clock) {
        this.datasets = datasets;
        this.budgets = budgets;
        this.limits = limits;
        this.spend = spend;
        this.format = format;
        this.access = access;
        this.trainings = trainings;
        this.statistics = statistics;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    @GetMapping("/teams")
    String teams(Model model) {
        if (!model.containsAttribute("newTeam")) {
            model.addAttribute("newTeam", new NewTeam("", ""));
            model.addAttribute("errors", Map.of());
        }
        model.addAttribute("teams", access.teams());
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        model.addAttribute("spend", SpendChart.of(today.withDayOfMonth(1), today, spend.report(today.withDayOfMonth(1), today, true, null)));
        Map<String, BudgetBar> budgetBars = new LinkedHashMap<>();
        budgets.all().forEach((slug, budget) -> budgetBars.put(slug, BudgetBar.of(budget, format)));
        model.addAttribute("budgetBars", budgetBars);
        model.addAttribute("totals", statistics.teamTotals(monthStart()));
        model.addAttribute("noTotals", TeamTotals.NONE);
        return "dashboard/teams";
    }

    @PostMapping("/teams")
    String createTeam(@Valid @ModelAttribute("newTeam") NewTeam newTeam, BindingResult form, Principal principal,
            Model model, HttpServletResponse response, RedirectAttributes redirect) {
        if (!form.hasErrors()) {
            try {
                TeamSummary team = access.createTeam(DashboardUsers.actor(principal.getName()), newTeam.slug(),
                        newTeam.name().strip());
                redirect.addFlashAttribute("notice", "Team " + team.slug() + " created. Issue it an API key below.");
                return "redirect:/admin/teams/" + team.slug();
            }
            catch (TeamSlugTaken e) {
                form.rejectValue("slug", "taken", "is taken by another team");
            }
        }
        model.addAttribute("errors", FormErrors.of(form));
        response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
        return teams(model);
    }

    @GetMapping("/teams/{slug}")
    String team(@PathVariable String slug, Model model) {
        TeamSummary team = access.team(checkedSlug(slug));
        if (!model.containsAttribute("newKey")) {
            model.addAttribute("newKey", new NewKey("", KeyMode.SANDBOX.wireName()));
            model.addAttribute("errors", Map.of());
        }
        if (!model.containsAttribute("newEndpoint")) {
            model.addAttribute("newEndpoint", new NewEndpoint("", webhooks.eventNames()));
            model.addAttribute("endpointErrors", Map.of());
        }
        Optional<Budget> budget = budgets.find(team.slug());
        if (!model.containsAttribute("budgetForm")) {
            model.addAttribute("budgetForm", budget.map(b -> new BudgetForm(b.monthlyUsd().toPlainString(), Integer.toString(b.alertAtPercent())))
                    .orElse(new BudgetForm("", Integer.toString(NewBudget.DEFAULT_ALERT_AT_PERCENT))));
            model.addAttribute("budgetErrors", Map.of());
        }
        TeamLimits.Limits turns = limits.get(team.slug());
        if (!model.containsAttribute("limitsForm")) {
            model.addAttribute("limitsForm", new LimitsForm(turns.maxConcurrent() == null ? "" : turns.maxConcurrent().toString()));
            model.addAttribute("limitsErrors", Map.of());
        }
        model.addAttribute("limits", turns);
        model.addAttribute("waiting", trainings.waiting(team.id(), WAITING_SHOWN));
        model.addAttribute("waitingShown", WAITING_SHOWN);
        model.addAttribute("budget", budget.orElse(null));
        model.addAttribute("budgetBar", budget.map(b -> BudgetBar.of(b, format)).orElse(null));
        Map<UUID, TeamTotals> totals = statistics.teamTotals(monthStart());
        model.addAttribute("team", team);
        model.addAttribute("datasets", datasets.listForAdmin(team.slug(), DATASETS_SHOWN, null).data());
        model.addAttribute("totals", totals.getOrDefault(team.id(), TeamTotals.NONE));
        model.addAttribute("keys", access.keysOf(team.slug()));
        model.addAttribute("recent", trainings.list(null, team.slug(), null, null, RECENT_TRAININGS).data());
        model.addAttribute("endpoints", webhooks.endpointsOf(team.slug()));
        model.addAttribute("eventNames", webhooks.eventNames());
        return "dashboard/team";
    }

    /** The admin API's rules, the outbound URL policy's included, each shown next to its field. */
    @PostMapping("/teams/{slug}/webhooks")
    String registerEndpoint(@PathVariable String slug, @RequestParam(defaultValue = "") String url,
            @RequestParam(required = false) List<String> events, Principal principal, Model model,
            HttpServletResponse response, RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        // No box ticked is a choice of no event here, not the API's "every event" of a missing list.
        List<String> chosen = events == null ? List.of() : events;
        try {
            webhooks.register(DashboardUsers.actor(principal.getName()), team.slug(), url.strip(), chosen);
            redirect.addFlashAttribute("notice", "Endpoint " + url.strip() + " registered: it receives "
                    + String.join(", ", chosen) + ".");
            return "redirect:/admin/teams/" + team.slug();
        }
        catch (WebhookRequestInvalid e) {
            Map<String, String> errors = new LinkedHashMap<>();
            e.violations().forEach(v -> {
                if (v.field().equals("url")) {
                    errors.merge("url", v.message(), (a, b) -> a + "; " + b);
                }
                else {
                    errors.put("events", "Choose at least one of the listed events.");
                }
            });
            model.addAttribute("newEndpoint", new NewEndpoint(url, chosen));
            model.addAttribute("endpointErrors", errors);
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return team(slug, model);
        }
    }

    @GetMapping("/teams/{slug}/webhooks/{id}/delete")
    String confirmEndpointDelete(@PathVariable String slug, @PathVariable String id, Model model) {
        TeamSummary team = access.team(checkedSlug(slug));
        model.addAttribute("team", team);
        model.addAttribute("endpoint", webhooks.endpointOf(team.slug(), id));
        return "dashboard/webhook-delete";
    }

    @PostMapping("/teams/{slug}/webhooks/{id}/delete")
    String deleteEndpoint(@PathVariable String slug, @PathVariable String id, Principal principal,
            RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        String url = webhooks.endpointOf(team.slug(), id).url();
        webhooks.deleteEndpoint(DashboardUsers.actor(principal.getName()), team.slug(), id);
        redirect.addFlashAttribute("notice", "Endpoint " + url + " is deleted: its pending deliveries end with it.");
        return "redirect:/admin/teams/" + team.slug();
    }

    /** Shown on this one answer only, like an API key; the previous secret keeps verifying for a while. */
    @PostMapping("/teams/{slug}/webhook-secret")
    String rotateSecret(@PathVariable String slug, Principal principal, Model model, HttpServletResponse response) {
        TeamSummary team = access.team(checkedSlug(slug));
        NewSigningSecret issued = webhooks.rotateSecret(DashboardUsers.actor(principal.getName()), team.slug());
        model.addAttribute("team", team);
        model.addAttribute("issued", issued);
        response.setStatus(HttpStatus.CREATED.value());
        return "dashboard/webhook-secret";
    }

    /** The key is shown on this one answer and nowhere else: it is not kept in the session for a redirect. */
    @PostMapping("/teams/{slug}/keys")
    String createKey(@PathVariable String slug, @Valid @ModelAttribute("newKey") NewKey newKey, BindingResult form,
            Principal principal, Model model, HttpServletResponse response) {
        TeamSummary team = access.team(checkedSlug(slug));
        if (form.hasErrors()) {
            model.addAttribute("errors", FormErrors.of(form));
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return team(slug, model);
        }
        IssuedKey issued = access.createKey(DashboardUsers.actor(principal.getName()), team.slug(), newKey.name().strip(),
                KeyMode.fromWireName(newKey.mode()));
        model.addAttribute("team", team);
        model.addAttribute("issued", issued);
        response.setStatus(HttpStatus.CREATED.value());
        return "dashboard/key-created";
    }

    /** The admin API's rules, each mistake shown next to its field; audited like the API's change. */
    @PostMapping("/teams/{slug}/budget")
    String setBudget(@PathVariable String slug, @Valid @ModelAttribute NewBudget newBudget, BindingResult form,
            Principal principal, Model model, HttpServletResponse response, RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        if (form.hasErrors()) {
            // As typed, including what is no number at all.
            model.addAttribute("budgetForm", new BudgetForm(Objects.toString(form.getFieldValue("monthlyUsd"), ""),
                    Objects.toString(form.getFieldValue("alertAtPercent"), "")));
            model.addAttribute("budgetErrors", FormErrors.of(form));
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return team(slug, model);
        }
        Budget budget = budgets.set(DashboardUsers.actor(principal.getName()), team.slug(),
                Objects.requireNonNull(newBudget.monthlyUsd()), newBudget.alertAt());
        redirect.addFlashAttribute("notice", "Budget of " + team.slug() + " set to $" + budget.monthlyUsd().toPlainString()
                + " a month, alerting at " + budget.alertAtPercent() + " %.");
        return "redirect:/admin/teams/" + team.slug();
    }

    /** The budget form's fields as the admin sees them. */
    record BudgetForm(String monthlyUsd, String alertAtPercent) {
    }

    /** The admin API's rule, the mistake shown next to the field; audited like the API's change. */
    @PostMapping("/teams/{slug}/limits")
    String setLimits(@PathVariable String slug, @Valid @ModelAttribute NewTeamLimits newLimits, BindingResult form,
            Principal principal, Model model, HttpServletResponse response, RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        if (form.hasErrors()) {
            model.addAttribute("limitsForm", new LimitsForm(Objects.toString(form.getFieldValue("maxConcurrent"), "")));
            model.addAttribute("limitsErrors", FormErrors.of(form));
            response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
            return team(slug, model);
        }
        int max = Objects.requireNonNull(newLimits.maxConcurrent());
        limits.set(DashboardUsers.actor(principal.getName()), team.slug(), max);
        redirect.addFlashAttribute("notice", "At most " + max + " of " + team.slug() + "'s trainings at fal at once.");
        return "redirect:/admin/teams/" + team.slug();
    }

    /** The limit form's field as the admin sees it. */
    record LimitsForm(String maxConcurrent) {
    }

    @PostMapping("/teams/{slug}/limits/remove")
    String removeLimits(@PathVariable String slug, Principal principal, RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        limits.remove(DashboardUsers.actor(principal.getName()), team.slug());
        redirect.addFlashAttribute("notice", "Limit of " + team.slug() + " removed: only the account's limit holds its trainings back.");
        return "redirect:/admin/teams/" + team.slug();
    }

    @PostMapping("/teams/{slug}/budget/remove")
    String removeBudget(@PathVariable String slug, Principal principal, RedirectAttributes redirect) {
        TeamSummary team = access.team(checkedSlug(slug));
        budgets.remove(DashboardUsers.actor(principal.getName()), team.slug());
        redirect.addFlashAttribute("notice", "Budget of " + team.slug() + " removed: its creates are no longer limited.");
        return "redirect:/admin/teams/" + team.slug();
    }

    @GetMapping("/keys/{id}/revoke")
    String confirmRevoke(@PathVariable String id, Model model) {
        model.addAttribute("key", access.key(keyId(id)));
        return "dashboard/key-revoke";
    }

    @PostMapping("/keys/{id}/revoke")
    String revoke(@PathVariable String id, Principal principal, RedirectAttributes redirect) {
        ApiKeySummary key = access.revokeKey(DashboardUsers.actor(principal.getName()), keyId(id));
        redirect.addFlashAttribute("notice", "Key " + key.prefix() + "… is revoked: it stops working at once.");
        return key.team() == null ? "redirect:/admin/teams" : "redirect:/admin/teams/" + key.team();
    }

    private Instant monthStart() {
        return monthStart(clock);
    }

    /** Spend "this month" is by the UTC calendar, like every time the dashboard shows. */
    static Instant monthStart(Clock clock) {
        return YearMonth.now(clock.withZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static String checkedSlug(String slug) {
        if (!slug.matches(NewTeam.SLUG_PATTERN)) {
            throw new TeamNotFound(slug);
        }
        return slug;
    }

    private static UUID keyId(String id) {
        try {
            return UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw new ApiKeyNotFound(id);
        }
    }

    /** The registration form as typed, so it shows again with its errors. */
    record NewEndpoint(String url, List<String> events) {
    }
}
