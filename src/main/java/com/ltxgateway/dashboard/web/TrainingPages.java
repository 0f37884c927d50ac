package com.ltxgateway.dashboard.web;

import com.ltxgateway.dashboard.DashboardProperties;
import com.ltxgateway.dashboard.DashboardUsers;
import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.ltxgateway.Hashing;
import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.training.TimelineEntry;
import com.ltxgateway.training.TrainingAdministration;
import com.ltxgateway.training.TrainingAlreadyFinished;
import com.ltxgateway.training.TrainingNotFound;
import com.ltxgateway.training.TrainingPage;
import com.ltxgateway.training.TrainingResubmitRefused;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingView.FileView;
import com.ltxgateway.training.TrainingView.Outputs;
import com.ltxgateway.training.TrainingView;
import com.ltxgateway.webhook.WebhookDeliveryConflict;
import com.ltxgateway.webhook.WebhookAdministration.DeliverySummary;
import com.ltxgateway.webhook.WebhookAdministration;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.http.HttpStatus;
import com.ltxgateway.artifact.OutputFiles;
import com.ltxgateway.artifact.OutputPins;
import com.ltxgateway.artifact.TrainingNotSucceeded;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Every team's trainings: a filtered list and each training's page, both following changes as they happen; cancel,
 * and redelivery of a training's webhooks.
 */
@Controller
@RequestMapping("/admin/trainings")
class TrainingPages {

    static final int PAGE_SIZE = 25;
    private static final String LIST = "/admin/trainings";
    private static final String ROWS = "/admin/trainings/rows";
    /** Training ids are ASCII; anything else cannot name one and is not worth a database query. */
    private static final String ID_PATTERN = "[A-Za-z0-9_-]{1,40}";
    /** More than a training ever has unless redelivered over and over; the admin API lists them all. */
    private static final int DELIVERIES_SHOWN = 50;

    private final TrainingAdministration trainings;
    private final AccessAdministration access;
    private final AuditLog auditLog;
    private final TransactionTemplate transactions;
    private final DashboardProperties properties;
    private final JsonMapper json;
    private final WebhookAdministration webhooks;
    private final OutputFiles outputFiles;
    private final OutputPins outputPins;

    TrainingPages(TrainingAdministration trainings, AccessAdministration access, AuditLog auditLog,
            TransactionTemplate transactions, DashboardProperties properties, JsonMapper json, WebhookAdministration webhooks,
            OutputFiles outputFiles, OutputPins outputPins) {
        this.outputFiles = outputFiles;
        this.outputPins = outputPins;
        this.trainings = trainings;
        this.access = access;
        this.auditLog = auditLog;
        this.transactions = transactions;
        this.properties = properties;
        this.json = json;
        this.webhooks = webhooks;
    }

    @GetMapping
    String list(@RequestParam(required = false) String status, @RequestParam(required = false) String team,
            @RequestParam(required = false) String q, @RequestParam(required = false) String cursor, Model model) {
        TrainingFilter filter = TrainingFilter.of(status, team, q);
        model.addAttribute("filter", filter);
        model.addAttribute("form", new FilterForm(status, team, q));
        model.addAttribute("statuses", Arrays.stream(TrainingStatus.values()).map(TrainingStatus::wireName).toList());
        model.addAttribute("teams", access.teams());
        addRows(filter, cursor, model);
        return "dashboard/trainings";
    }

    /** The live part of the list. Answers 204 when nothing changed, so htmx leaves the table (and screen readers) alone. */
    @GetMapping("/rows")
    String rows(@RequestParam(required = false) String status, @RequestParam(required = false) String team,
            @RequestParam(required = false) String q, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) String v, Model model, HttpServletResponse response) {
        String version = addRows(TrainingFilter.of(status, team, q), cursor, model);
        if (version.equals(v)) {
            response.setStatus(HttpStatus.NO_CONTENT.value());
            return null;
        }
        return "dashboard/trainings :: rows";
    }

    @GetMapping("/{id}")
    String detail(@PathVariable String id, Model model) {
        TrainingView training = addDetail(checkedId(id), model);
        model.addAttribute("input", pretty(training.input()));
        return "dashboard/training";
    }

    /** The changing part of a training's page; 204 when nothing changed, like the list's rows. */
    @GetMapping("/{id}/live")
    String live(@PathVariable String id, @RequestParam(required = false) String v, Model model,
            HttpServletResponse response) {
        addDetail(checkedId(id), model);
        if (model.getAttribute("version").equals(v)) {
            response.setStatus(HttpStatus.NO_CONTENT.value());
            return null;
        }
        return "dashboard/training :: live";
    }

    /** The admin API's redelivery, audited the same way, with the dashboard user as the actor. */
    @PostMapping("/{id}/deliveries/{deliveryId}/redeliver")
    String redeliver(@PathVariable String id, @PathVariable String deliveryId, Principal principal,
            RedirectAttributes redirect) {
        String checked = checkedId(id);
        try {
            DeliverySummary delivery = webhooks.redeliver(DashboardUsers.actor(principal.getName()), checked, deliveryId);
            redirect.addFlashAttribute("notice", "Delivery of " + delivery.eventType() + " to " + delivery.destination()
                    + " is due again now, with every retry ahead of it.");
        }
        catch (WebhookDeliveryConflict e) {
            redirect.addFlashAttribute("notice", e.getMessage());
        }
        return "redirect:" + LIST + "/" + checked;
    }

    @GetMapping("/{id}/cancel")
    String confirmCancel(@PathVariable String id, Model model, RedirectAttributes redirect) {
        TrainingView training = trainings.get(checkedId(id));
        if (TrainingStatus.fromWireName(training.status()).isTerminal()) {
            redirect.addFlashAttribute("notice", "This training has " + training.status() + " already: there is nothing to cancel.");
            return "redirect:" + LIST + "/" + training.id();
        }
        model.addAttribute("training", training);
        return "dashboard/training-cancel";
    }

    /** The API's cancel path, with the admin named on the timeline and in the audit log. */
    @PostMapping("/{id}/cancel")
    String cancel(@PathVariable String id, Principal principal, RedirectAttributes redirect) {
        String checked = checkedId(id);
        String actor = DashboardUsers.actor(principal.getName());
        try {
            TrainingView canceled = transactions.execute(tx -> {
                TrainingView view = trainings.cancel(actor, checked);
                auditLog.record(actor, "training.cancel_requested", "training:" + checked);
                return view;
            });
            redirect.addFlashAttribute("notice", "canceled".equals(canceled.status())
                    ? "The training is canceled."
                    : "Cancel requested: the training stops as soon as fal confirms.");
        }
        catch (TrainingAlreadyFinished e) {
            redirect.addFlashAttribute("notice", e.getMessage());
        }
        return "redirect:" + LIST + "/" + checked;
    }

    @GetMapping("/{id}/resubmit")
    String confirmResubmit(@PathVariable String id, Model model, RedirectAttributes redirect) {
        TrainingView training = trainings.get(checkedId(id));
        if (training.submitUnconfirmedAt() == null) {
            redirect.addFlashAttribute("notice", "This training has no unconfirmed submit: there is nothing to decide.");
            return "redirect:" + LIST + "/" + training.id();
        }
        model.addAttribute("training", training);
        return "dashboard/training-resubmit";
    }

    /** The admin API's resubmit, audited the same way, with the dashboard user as the actor. */
    @PostMapping("/{id}/resubmit")
    String resubmit(@PathVariable String id, Principal principal, RedirectAttributes redirect) {
        String checked = checkedId(id);
        try {
            TrainingView training = trainings.resubmit(DashboardUsers.actor(principal.getName()), checked);
            redirect.addFlashAttribute("notice", "canceled".equals(training.status())
                    ? "The training is canceled: it had a cancel request, and fal does not hold it."
                    : "The training is submitted again.");
        }
        catch (TrainingResubmitRefused e) {
            redirect.addFlashAttribute("notice", e.getMessage());
        }
        return "redirect:" + LIST + "/" + checked;
    }

    /**
     * Puts what the live part of a training's page shows in the model, with a digest of it and the URL that polls
     * for changes. Polling stops once neither the training nor any of its deliveries can change by itself.
     */
    private TrainingView addDetail(String id, Model model) {
        TrainingView training = trainings.get(id);
        List<TimelineEntry> events = trainings.timeline(id);
        List<DeliverySummary> deliveries = webhooks.deliveriesOf(id, DELIVERIES_SHOWN);
        String version = Hashing.sha256Hex(String.join("|", training.status(), String.valueOf(training.queuePosition()),
                String.valueOf(training.cancelRequestedAt()), String.valueOf(training.falRequestId()),
                String.valueOf(training.submitUnconfirmedAt()), String.valueOf(training.falUnreachableSince()),
                String.valueOf(training.costUsd()), events.toString(), deliveries.toString())).substring(0, 16);
        boolean settled = TrainingStatus.fromWireName(training.status()).isTerminal()
                && deliveries.stream().noneMatch(d -> d.status().equals("pending"));
        model.addAttribute("training", training);
        model.addAttribute("events", events);
        model.addAttribute("deliveries", deliveries);
        model.addAttribute("errorDetails", training.error() == null ? null : pretty(training.error()));
        model.addAttribute("files", files(training.id(), training.output()));
        FileView video = training.output() == null ? null : training.output().video();
        model.addAttribute("videoSrc", video == null ? null : video.stored() ? LIST + "/" + id + "/files/video"
                : outputFiles.linkable(video.url()) ? video.url() : null);
        model.addAttribute("version", version);
        model.addAttribute("liveUrl", settled ? null : LIST + "/" + id + "/live?v=" + version);
        model.addAttribute("refreshTrigger", "every " + properties.refreshInterval().toMillis() + "ms");
        return training;
    }

    /** Puts one page of trainings in the model; returns a digest of what it shows. */
    private String addRows(TrainingFilter filter, String cursor, Model model) {
        String validCursor = cursor == null || cursor.isBlank() ? null : cursor;
        TrainingPage page;
        try {
            page = trainings.list(filter.trainingStatus(), filter.team(), filter.text(), validCursor, PAGE_SIZE);
        }
        catch (InvalidQueryParameter e) {
            model.addAttribute("cursorError", "That page link has expired; showing the newest trainings.");
            validCursor = null;
            page = trainings.list(filter.trainingStatus(), filter.team(), filter.text(), null, PAGE_SIZE);
        }
        String version = version(page);
        model.addAttribute("page", page);
        model.addAttribute("firstPage", validCursor == null);
        model.addAttribute("firstPageUrl", filter.url(LIST, null, null));
        model.addAttribute("nextPageUrl", page.nextCursor() == null ? null : filter.url(LIST, page.nextCursor(), null));
        model.addAttribute("rowsUrl", filter.url(ROWS, validCursor, version));
        model.addAttribute("refreshTrigger", "every " + properties.refreshInterval().toMillis() + "ms");
        return version;
    }

    private static String version(TrainingPage page) {
        String shown = page.data().stream()
                .map(t -> String.join("|", t.id(), t.status(), String.valueOf(t.queuePosition()),
                        String.valueOf(t.cancelRequestedAt()), String.valueOf(t.falRequestId())))
                .collect(Collectors.joining("\n", "", "\n" + page.nextCursor()));
        return Hashing.sha256Hex(shown).substring(0, 16);
    }

    private String pretty(JsonNode node) {
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    private static String checkedId(String id) {
        if (!id.matches(ID_PATTERN)) {
            throw new TrainingNotFound(id);
        }
        return id;
    }

    private List<OutputFile> files(String trainingId, Outputs outputs) {
        if (outputs == null) {
            return List.of();
        }
        return Stream.of(file(trainingId, "lora_file", "LoRA weights", outputs.loraFile()), file(trainingId, "config_file", "Config", outputs.configFile()),
                file(trainingId, "video", "Validation video", outputs.video()), file(trainingId, "audio", "Audio", outputs.audio()),
                file(trainingId, "debug_dataset", "Debug dataset", outputs.debugDataset()))
                .filter(file -> file.file() != null)
                .toList();
    }

    private OutputFile file(String trainingId, String name, String label, FileView file) {
        String link = file == null ? null : file.stored() ? LIST + "/" + trainingId + "/files/" + name
                : outputFiles.linkable(file.url()) ? file.url() : null;
        return new OutputFile(name, label, file, link);
    }

    /**
     * An output file as the page links it: the gateway's copy through the dashboard once stored, fal's until then,
     * and no link at all for a URL that is not http(s) on an expected host.
     */
    record OutputFile(String name, String label, FileView file, String link) {
    }

    /** The API's pin, audited the same way, with the dashboard user as the actor. */
    @PostMapping("/{id}/pin")
    String pin(@PathVariable String id, Principal principal, RedirectAttributes redirect) {
        String checked = checkedId(id);
        try {
            outputPins.pinForAdmin(DashboardUsers.actor(principal.getName()), checked);
            redirect.addFlashAttribute("notice", "Pinned: the gateway keeps this training's outputs past its retention.");
        }
        catch (TrainingNotSucceeded e) {
            redirect.addFlashAttribute("notice", e.getMessage());
        }
        return "redirect:" + LIST + "/" + checked;
    }

    @PostMapping("/{id}/unpin")
    String unpin(@PathVariable String id, Principal principal, RedirectAttributes redirect) {
        String checked = checkedId(id);
        outputPins.unpinForAdmin(DashboardUsers.actor(principal.getName()), checked);
        redirect.addFlashAttribute("notice", "Unpinned: the retention applies to this training's outputs again.");
        return "redirect:" + LIST + "/" + checked;
    }

    /** The gateway's copy of an output file, for a signed-in admin; ranges answered, as the video element asks. */
    @GetMapping("/{id}/files/{name}")
    ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String name) {
        OutputFiles.OutputFile file = outputFiles.findForAdmin(checkedId(id), name);
        return file.headers(true).body(file.content());
    }

    /** The filter fields as typed, so the form shows them again, valid or not. */
    record FilterForm(String status, String team, String q) {
    }
}
