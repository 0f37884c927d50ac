package com.ltxgateway.dashboard;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
class LoginController {

    @GetMapping(DashboardSecurityConfiguration.LOGIN_PAGE)
    String login(Authentication authentication, @RequestParam(required = false) String error,
            @RequestParam(required = false) String logout, Model model) {
        if (authentication != null && !(authentication instanceof AnonymousAuthenticationToken) && authentication.isAuthenticated()) {
            return "redirect:/admin";
        }
        model.addAttribute("failed", error != null);
        model.addAttribute("signedOut", logout != null);
        return "dashboard/login";
    }
}
