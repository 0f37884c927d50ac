package com.ltxgateway.audit.web;

import com.ltxgateway.audit.AuditLog;
import java.time.Instant;
import java.util.List;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.audit.AuditLog.AuditEntry;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: audit log", description = "Who did what and when; admin keys only.")
@RequestMapping("/v1/admin/audit-log")
class AuditLogController {

    private static final int MAX_LIMIT = 100;

    private final AuditLog auditLog;

    AuditLogController(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @GetMapping
    @Operation(summary = "List audit entries, newest first")
    AuditPage list(@RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidQueryParameter("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        Long before = null;
        if (cursor != null) {
            try {
                before = Long.parseLong(cursor);
            }
            catch (NumberFormatException e) {
                throw new InvalidQueryParameter("cursor", "cursor is not one this API returned");
            }
        }
        List<AuditEntry> entries = auditLog.page(before, limit + 1);
        boolean more = entries.size() > limit;
        List<AuditEntry> page = more ? entries.subList(0, limit) : entries;
        String next = more ? Long.toString(page.getLast().id()) : null;
        return new AuditPage(page.stream().map(e -> new Entry(e.at(), e.actor(), e.action(), e.target())).toList(), next);
    }

    record AuditPage(List<Entry> data, String nextCursor) {
    }

    record Entry(Instant at, String actor, String action, String target) {
    }
}
