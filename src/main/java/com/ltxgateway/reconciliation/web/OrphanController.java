package com.ltxgateway.reconciliation.web;

import com.ltxgateway.reconciliation.FalOrphans;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.reconciliation.FalOrphans.Cursor;
import com.ltxgateway.reconciliation.FalOrphans.Orphan;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: fal", description = "What fal holds that no training follows; admin keys only.")
@RequestMapping("/v1/admin/fal")
class OrphanController {

    private static final int MAX_LIMIT = 100;

    private final FalOrphans orphans;

    OrphanController(FalOrphans orphans) {
        this.orphans = orphans;
    }

    @GetMapping("/orphans")
    @Operation(summary = "fal requests no training follows, newest first",
            description = "Duplicates the gateway found itself (a late submit answer, a fal webhook for a request the training"
                    + " does not want) and requests fal's listing or billing events show that no training owns. One that may"
                    + " still run is canceled until fal confirms it (cancel: pending, then fal's answer).")
    OrphanPage list(@RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidQueryParameter("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        List<Orphan> found = orphans.page(cursor == null || cursor.isEmpty() ? null : decode(cursor), limit + 1);
        boolean more = found.size() > limit;
        List<Orphan> page = more ? found.subList(0, limit) : found;
        return new OrphanPage(page.stream().map(OrphanView::of).toList(), more ? encode(page.getLast()) : null);
    }

    record OrphanPage(List<OrphanView> data, String nextCursor) {
    }

    /**
     * @param trainingId the training whose submit made the request, when the gateway knows
     * @param foundBy {@code submit_answer}, {@code fal_webhook}, {@code listing} or {@code billing}
     * @param cancel {@code pending} while a cancel is being sent; fal's answer ({@code OK}, {@code CANCELLATION_REQUESTED},
     * {@code ALREADY_COMPLETED}, {@code NOT_FOUND}) once confirmed; null when none was needed
     */
    record OrphanView(String requestId, String mode, String trainingId, String foundBy, Instant foundAt, Instant sentAt,
            Instant endedAt, Integer statusCode, BigDecimal billedUsd, String cancel) {

        static OrphanView of(Orphan o) {
            return new OrphanView(o.requestId(), o.mode(), o.trainingId(), o.foundBy(), o.foundAt(), o.sentAt(), o.endedAt(),
                    o.statusCode(), o.billedUsd() == null ? null : o.billedUsd().stripTrailingZeros(), o.cancel());
        }
    }

    private static String encode(Orphan last) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((last.foundAt() + "|" + last.requestId()).getBytes(StandardCharsets.UTF_8));
    }

    private static Cursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
            if (!parts[1].matches("[\\x21-\\x7e]{1,100}")) {
                throw new IllegalArgumentException("request id out of range");
            }
            return new Cursor(Instant.parse(parts[0]), parts[1]);
        }
        catch (RuntimeException e) {
            throw new InvalidQueryParameter("cursor", "cursor is not one this API returned");
        }
    }
}
