package com.ltxgateway.dashboard;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class DashboardHome {

    @GetMapping("/admin")
    String home() {
        return "redirect:/admin/trainings";
    }
}
