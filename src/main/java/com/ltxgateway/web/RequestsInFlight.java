package com.ltxgateway.web;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * How many requests this instance is working on right now, for background work that steps aside while callers wait.
 * A request counts while a thread runs it, from before the security chains until its response is written; an
 * asynchronous request that waits for something else does not, nor does a service reporting back on one of the
 * {@link CallbackPaths}: a trickle of fal's webhooks would otherwise pace the tracker on an instance nobody is waiting
 * for.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestsInFlight extends OncePerRequestFilter {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<CallbackPaths> callbacks;

    @Autowired
    RequestsInFlight(ObjectProvider<CallbackPaths> callbacks) {
        this(callbacks.orderedStream().toList());
    }

    RequestsInFlight(List<CallbackPaths> callbacks) {
        this.callbacks = List.copyOf(callbacks);
    }

    /** Whether a caller is waiting for this instance at this moment. */
    public boolean serving() {
        return inFlight.get() > 0;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // Every request asks, so the path is matched in place rather than cut out of the URI.
        String uri = request.getRequestURI();
        int path = request.getContextPath().length();
        return callbacks.stream().anyMatch(callback -> uri.startsWith(callback.prefix(), path));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        inFlight.incrementAndGet();
        try {
            chain.doFilter(request, response);
        }
        finally {
            inFlight.decrementAndGet();
        }
    }
}
