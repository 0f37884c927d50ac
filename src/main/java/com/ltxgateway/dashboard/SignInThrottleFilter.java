package com.ltxgateway.dashboard;

import java.io.IOException;
import java.util.Optional;

import com.ltxgateway.throttle.Refusal;
import com.ltxgateway.throttle.SignInThrottle;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes every password sign-in from its throttle before the password is checked. A refused one is not checked at all:
 * it is answered 429 with the sign-in page saying how long to wait ({@link DashboardSecurityConfiguration#THROTTLED_PAGE}).
 * It runs after the CSRF check, so a post without its token costs nothing.
 */
class SignInThrottleFilter extends OncePerRequestFilter {

    private static final RequestMatcher SIGN_IN =
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, DashboardSecurityConfiguration.LOGIN_PAGE);

    private final SignInThrottle throttle;
    private final LoginAudit loginAudit;

    SignInThrottleFilter(SignInThrottle throttle, LoginAudit loginAudit) {
        this.throttle = throttle;
        this.loginAudit = loginAudit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (SIGN_IN.matches(request)) {
            Optional<Refusal> refusal = throttle.attempt(LoginAudit.typedUsername(request), request.getRemoteAddr());
            if (refusal.isPresent()) {
                loginAudit.throttled(request, refusal.get());
                request.setAttribute(DashboardSecurityConfiguration.THROTTLED_REFUSAL, refusal.get());
                request.getRequestDispatcher(DashboardSecurityConfiguration.THROTTLED_PAGE).forward(request, response);
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
