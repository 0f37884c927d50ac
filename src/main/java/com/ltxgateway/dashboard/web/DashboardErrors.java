package com.ltxgateway.dashboard.web;

import com.ltxgateway.ApiProblem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * Errors on dashboard pages are pages too, not the API's JSON problems: this advice is consulted before the API's
 * and only for the dashboard's controllers.
 */
@ControllerAdvice(basePackageClasses = DashboardErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardErrors {

    private static final Logger log = LoggerFactory.getLogger(DashboardErrors.class);

    /** A feature's fact (not found, conflict, ...) is shown with the status, title and detail the API would give. */
    @ExceptionHandler(ApiProblem.class)
    ModelAndView problem(ApiProblem e) {
        ModelAndView page = new ModelAndView("dashboard/error", e.getStatusCode());
        page.addObject("title", e.getBody().getTitle());
        page.addObject("message", e.getMessage());
        return page;
    }

    /** A hand-edited URL with a parameter of the wrong kind. */
    @ExceptionHandler({ ServletRequestBindingException.class, TypeMismatchException.class })
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    String badRequest(Exception e, Model model) {
        model.addAttribute("title", "Bad request");
        model.addAttribute("message", "The address of this page is not one the dashboard links to.");
        return "dashboard/error";
    }

    @ExceptionHandler(Exception.class)
    @ResponseStatus(HttpStatus.INTERNAL_SERVER_ERROR)
    String unexpected(Exception e, Model model) {
        log.error("Unexpected error on a dashboard page", e);
        model.addAttribute("title", "Something went wrong");
        model.addAttribute("message", "The gateway could not show this page. Reload to try again.");
        return "dashboard/error";
    }
}
