package com.ltxgateway.dashboard.web;

import com.ltxgateway.dashboard.DashboardSecurityConfiguration;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The dashboard's own pages for a refused request and for an address it does not have, instead of the API's JSON
 * problems or the container's error page.
 */
@Controller
class DashboardErrorPages {

    /** Where the dashboard chain's access-denied handler forwards to; the forward passes no security filter. */

    @RequestMapping(DashboardSecurityConfiguration.FORBIDDEN_PAGE)
    String forbidden(HttpServletRequest request, HttpServletResponse response, Model model) {
        response.setStatus(HttpStatus.FORBIDDEN.value());
        if (request.getAttribute(WebAttributes.ACCESS_DENIED_403) instanceof CsrfException) {
            model.addAttribute("title", "This form has expired");
            model.addAttribute("message", "The page it was on is older than your session: you signed in again or out "
                    + "since, maybe in another tab. Nothing was changed. Go back, reload the page and try again.");
        }
        else {
            model.addAttribute("title", "Not allowed");
            model.addAttribute("message", "Your account may not use the dashboard.");
        }
        return "dashboard/error";
    }

    /** Mappings more specific than this one win, so it only answers addresses no page has. */
    @RequestMapping("/admin/**")
    String notFound(HttpServletResponse response, Model model) {
        response.setStatus(HttpStatus.NOT_FOUND.value());
        model.addAttribute("title", "Not found");
        model.addAttribute("message", "The dashboard has no page at this address.");
        return "dashboard/error";
    }
}
