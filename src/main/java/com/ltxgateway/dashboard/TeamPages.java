package com.ltxgateway.dashboard;

import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.access.AccessAdministration.IssuedKey;
import com.ltxgateway.access.ApiKeyNotFound;
import com.ltxgateway.access.ApiKeySummary;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.access.NewKey;
import com.ltxgateway.access.NewTeam;
import com.ltxgateway.access.TeamNotFound;
import com.ltxgateway.access.TeamSlugTaken;
import com.ltxgateway.access.TeamSummary;
import com.ltxgateway.training.TrainingAdministration;
import com.ltxgateway.training.TrainingStatistics;
import com.ltxgateway.training.TrainingStatistics.TeamTotals;

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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Teams, what they train and spend, and their API keys: created (shown once) and revoked here. */
@Controller
@RequestMapping("/admin")
class TeamPages {

    private static final int RECENT_TRAININGS = 10;

    private final AccessAdministration access;
    private final TrainingAdministration trainings;
    private final TrainingStatistics statistics;
    private final Clock clock;

    TeamPages(AccessAdministration access, TrainingAdministration trainings, TrainingStatistics statistics, Clock clock) {
        this.access = access;
        this.trainings = trainings;
        this.statistics = statistics;
        this.clock = clock;
    }

    @GetMapping("/teams")
    String teams(Model model) {
        if (!model.containsAttribute("newTeam")) {
            model.addAttribute("newTeam", new NewTeam("", ""));
            model.addAttribute("errors", Map.of());
        }
        model.addAttribute("teams", access.teams());
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
        Map<UUID, TeamTotals> totals = statistics.teamTotals(monthStart());
        model.addAttribute("team", team);
        model.addAttribute("totals", totals.getOrDefault(team.id(), TeamTotals.NONE));
        model.addAttribute("keys", access.keysOf(team.slug()));
        model.addAttribute("recent", trainings.list(null, team.slug(), null, null, RECENT_TRAININGS).data());
        return "dashboard/team";
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
}
