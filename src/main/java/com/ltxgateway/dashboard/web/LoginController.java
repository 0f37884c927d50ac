package com.ltxgateway.dashboard.web;

import com.ltxgateway.dashboard.DashboardSecurityConfiguration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
class LoginController {

    private final ObjectProvider<ClientRegistrationRepository> openIdProviders;

    LoginController(ObjectProvider<ClientRegistrationRepository> openIdProviders) {
        this.openIdProviders = openIdProviders;
    }

    @GetMapping(DashboardSecurityConfiguration.LOGIN_PAGE)
    String login(Authentication authentication, @RequestParam(required = false) String error,
            @RequestParam(required = false) String logout, Model model) {
        if (authentication != null && !(authentication instanceof AnonymousAuthenticationToken) && authentication.isAuthenticated()) {
            return "redirect:/admin";
        }
        model.addAttribute("failed", error != null && !error.equals("provider"));
        model.addAttribute("providerFailed", "provider".equals(error));
        model.addAttribute("signedOut", logout != null);
        model.addAttribute("providers", providers());
        return "dashboard/login";
    }

    /** Boot's repository from properties is iterable; one made otherwise lists no sign-in buttons. */
    private List<ClientRegistration> providers() {
        List<ClientRegistration> providers = new ArrayList<>();
        if (openIdProviders.getIfAvailable() instanceof Iterable<?> registrations) {
            registrations.forEach(r -> providers.add((ClientRegistration) r));
        }
        return providers;
    }
}
