package com.ltxgateway.dashboard.web;

import java.util.List;

import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.audit.AuditLog.AuditEntry;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Who did what and when, newest first: admin actions through the API and the dashboard, and sign-ins. */
@Controller
class AuditPage {

    static final int PAGE_SIZE = 50;

    private final AuditLog auditLog;

    AuditPage(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @GetMapping("/admin/audit")
    String audit(@RequestParam(required = false) String before, Model model) {
        Long beforeId = null;
        if (before != null && !before.isBlank()) {
            try {
                beforeId = Long.parseLong(before);
            }
            catch (NumberFormatException e) {
                model.addAttribute("cursorError", "That page link is not valid; showing the newest entries.");
            }
        }
        List<AuditEntry> entries = auditLog.page(beforeId, PAGE_SIZE + 1);
        boolean more = entries.size() > PAGE_SIZE;
        List<AuditEntry> page = more ? entries.subList(0, PAGE_SIZE) : entries;
        model.addAttribute("entries", page);
        model.addAttribute("firstPage", beforeId == null);
        model.addAttribute("olderBefore", more ? page.getLast().id() : null);
        return "dashboard/audit";
    }
}
