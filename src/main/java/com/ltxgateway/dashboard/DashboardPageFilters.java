package com.ltxgateway.dashboard;

import jakarta.servlet.DispatcherType;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.resource.ResourceUrlEncodingFilter;

/**
 * Filters that only pages need, kept to the pages. Spring Boot registers the resource URL encoding filter (which
 * turns the templates' {@code /webjars/htmx.org/dist/...} into the versioned path) for every request; its request
 * wrapper then sits under each API call too, where every one of Spring MVC's checks of a handler mapping against the
 * request passes through it, and no URL is ever encoded.
 */
@Configuration(proxyBeanMethods = false)
class DashboardPageFilters {

    /** The paths that render templates: the dashboard and its sign-in pages. */
    static final String[] PAGES = { "/admin/*", DashboardSecurityConfiguration.LOGIN_PAGE + "/*" };

    @Bean
    FilterRegistrationBean<ResourceUrlEncodingFilter> resourceUrlEncodingFilter() {
        var registration = new FilterRegistrationBean<>(new ResourceUrlEncodingFilter());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR);
        registration.addUrlPatterns(PAGES);
        return registration;
    }
}
