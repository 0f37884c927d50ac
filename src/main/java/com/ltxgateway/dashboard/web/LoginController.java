package com.ltxgateway.dashboard.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.ltxgateway.dashboard.DashboardSecurityConfiguration;
import com.ltxgateway.throttle.Refusal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
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

    /** A sign-in refused by its throttle, forwarded here unchecked: the sign-in page, saying how long to wait. */
    @RequestMapping(DashboardSecurityConfiguration.THROTTLED_PAGE)
    String throttled(HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!(request.getAttribute(DashboardSecurityConfiguration.THROTTLED_REFUSAL) instanceof Refusal refusal)) {
            return "redirect:" + DashboardSecurityConfiguration.LOGIN_PAGE;
        }
        response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()));
        model.addAttribute("throttledFor", wait(Duration.ofSeconds(refusal.retryAfterSeconds())));
        model.addAttribute("providers", providers());
        return "dashboard/login";
    }

    private static String wait(Duration wait) {
        if (wait.toSeconds() < 90) {
            return wait.toSeconds() == 1 ? "1 second" : wait.toSeconds() + " seconds";
        }
        return (wait.toSeconds() + 59) / 60 + " minutes";
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
