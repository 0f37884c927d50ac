package com.ltxgateway.web;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import com.ltxgateway.LogFields;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id that its log lines carry and its response echoes in {@code X-Request-Id}: the caller's,
 * when a proxy or client sent a usable one, so a request can be followed across systems; a new one otherwise. It
 * runs before the security chains, so refused requests are traceable too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIds extends OncePerRequestFilter {

    static final String HEADER = "X-Request-Id";

    // Visible ASCII only: the id is copied into a response header and into log lines, where anything else could
    // split a header or forge a log line.
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7E]{1,100}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        String id = given != null && VALID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        response.setHeader(HEADER, id);
        try (var ignored = MDC.putCloseable(LogFields.REQUEST_ID, id)) {
            chain.doFilter(request, response);
        }
    }
}
