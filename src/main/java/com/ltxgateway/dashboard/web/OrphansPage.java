package com.ltxgateway.dashboard.web;

import com.ltxgateway.reconciliation.FalOrphans;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** What fal holds that no training follows: duplicates the gateway found, and what fal's listing and billing show. */
@Controller
class OrphansPage {

    static final int SHOWN = 100;

    private final FalOrphans orphans;

    OrphansPage(FalOrphans orphans) {
        this.orphans = orphans;
    }

    @GetMapping("/admin/fal/orphans")
    String orphans(Model model) {
        var newest = orphans.page(null, SHOWN + 1);
        model.addAttribute("orphans", newest.size() > SHOWN ? newest.subList(0, SHOWN) : newest);
        model.addAttribute("more", newest.size() > SHOWN);
        model.addAttribute("shown", SHOWN);
        model.addAttribute("openCancels", orphans.openCancels());
        return "dashboard/orphans";
    }
}
