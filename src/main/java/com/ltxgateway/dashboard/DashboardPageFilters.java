package com.ltxgateway.dashboard;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.resource.ResourceUrlEncodingFilter;

/**
 * Filters that only pages need, kept to the pages. Spring Boot registers the resource URL encoding filter (which
 * turns the templates' {@code /webjars/htmx.org/dist/...} into the versioned path) for every request; on an API
 * request it wrapped the request and response and resolved the lookup path, and never encoded a URL.
 */
@Configuration(proxyBeanMethods = false)
class DashboardPageFilters {

    /** The paths that render templates: the dashboard and its sign-in pages. */
    private static final String[] PAGES = { "/admin/*", DashboardSecurityConfiguration.LOGIN_PAGE + "/*" };

    @Bean
    FilterRegistrationBean<ResourceUrlEncodingFilter> resourceUrlEncodingFilter() {
        var registration = new FilterRegistrationBean<>(new ResourceUrlEncodingFilter());
        registration.addUrlPatterns(PAGES);
        return registration;
    }
}
